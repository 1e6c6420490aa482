import { expect } from 'chai';
import mongoose from 'mongoose';
import { toAppError } from '../middlewares/error.middleware.js';
import { User } from '../models/user.model.js';
import { AppError } from '../utils/app-error.js';

describe('error mapping', () => {
  it('maps Mongoose validation and cast errors to 400, duplicates to 409', async () => {
    const invalid = await new User({}).validate().catch((e: unknown) => e);
    expect(invalid).to.be.instanceOf(mongoose.Error.ValidationError);
    const v = toAppError(invalid);
    expect([v.status, v.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
    expect((v.details as { field: string }[]).map((d) => d.field)).to.include('email');

    const cast = await User.findOne({ _id: 'not-an-id' }).catch((e: unknown) => e);
    const c = toAppError(cast);
    expect([c.status, c.code]).to.deep.equal([400, 'INVALID_VALUE']);

    const dup = toAppError(Object.assign(new Error('E11000 duplicate key'), { code: 11000, keyValue: { email: 'a@b.c' } }));
    expect([dup.status, dup.code]).to.deep.equal([409, 'DUPLICATE']);
    expect(JSON.stringify(dup.details)).to.not.include('a@b.c');
  });

  it('hides the message of unknown errors and maps an unreachable database to 503', () => {
    const unknown = toAppError(new Error('secret internal detail'));
    expect([unknown.status, unknown.code]).to.deep.equal([500, 'INTERNAL']);
    expect(unknown.message).to.not.include('secret');
    const down = toAppError(Object.assign(new Error('no server'), { name: 'MongoServerSelectionError' }));
    expect([down.status, down.code]).to.deep.equal([503, 'DATABASE_UNAVAILABLE']);
    const own = new AppError('BUSY', 'short and stout');
    expect(toAppError(own)).to.equal(own);
  });
});
