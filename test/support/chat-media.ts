import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type supertest from 'supertest';
import { config } from '../../config/index.js';
import { ChatAttachment } from '../../models/chat-attachment.model.js';
import { api } from './app.js';
import { eventually } from './eventually.js';
import { clientId } from './chat.js';
import { connect } from './connections.js';
import { bearer, signupUser, type SignedUp } from './users.js';

const run = promisify(execFile);
type Agent = ReturnType<typeof supertest>;

export const CONV = '/api/v1/conversations';

/** A real voice note as phones and browsers record them: Ogg/Opus, a tone of `seconds`. */
export async function oggVoice(seconds = 2): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devtinder-voice-'));
  const file = path.join(dir, 'note.ogg');
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=330:duration=${seconds}`],
    ...['-metadata', 'title=kitchen recording', '-c:a', 'libopus', '-b:a', '32k', file],
  ]);
  return readFile(file);
}

/** A small, real PDF. */
export const pdf = () =>
  Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  );

/** The first bytes of a Linux program and of a Windows one: never sent, whatever their names. */
export const elf = () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 1)]);
export const windowsExe = () => {
  const exe = Buffer.alloc(256);
  exe.write('MZ', 0, 'latin1');
  exe.writeUInt32LE(128, 0x3c);
  exe.write('PE\0\0', 128, 'latin1');
  return exe;
};

/** Uploads an attachment through the API. */
export async function attach(
  user: SignedUp,
  conversationId: string,
  kind: string,
  bytes: Buffer,
  name = 'upload.bin',
  on?: Agent,
) {
  return (on ?? (await api()))
    .post(`${CONV}/${conversationId}/attachments`)
    .set(bearer(user.accessToken))
    .field('kind', kind)
    .field('name', name)
    .attach('file', bytes, name);
}

/** Waits until the media job has finished with an upload; returns it as its sender sees it. */
export async function settledUpload(user: SignedUp, conversationId: string, id: string, on?: Agent) {
  const agent = on ?? (await api());
  let upload: { status: string; failReason?: string; attachment?: { id: string; urls: Record<string, string> } } = {
    status: 'processing',
  };
  await eventually(
    async () => {
      const res = await agent.get(`${CONV}/${conversationId}/attachments/${id}`).set(bearer(user.accessToken));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      upload = res.body.attachment;
      return upload.status !== 'processing' && upload.status !== 'uploading';
    },
    60_000,
    'the upload to be processed',
  );
  return upload;
}

/** Uploads and waits for it to be ready to send. */
export async function readyAttachment(
  user: SignedUp,
  conversationId: string,
  kind: string,
  bytes: Buffer,
  name?: string,
  on?: Agent,
) {
  const res = await attach(user, conversationId, kind, bytes, name, on);
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  const upload = await settledUpload(user, conversationId, res.body.attachment.id, on);
  expect(upload.status, upload.failReason).to.equal('ready');
  return upload.attachment!;
}

/** Ana and Ben, connected, in a group Ana made; Carl is a stranger. */
export async function group() {
  const [ana, ben, carl] = await Promise.all([signupUser(), signupUser(), signupUser()]);
  await connect(ana, ben);
  const res = await (
    await api()
  )
    .post(CONV)
    .set(bearer(ana.accessToken))
    .send({ name: 'trip', memberIds: [ben.id] });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return { ana, ben, carl, conversationId: res.body.conversation.id as string };
}

/** Sends a message over HTTP. */
export async function send(user: SignedUp, conversationId: string, body: Record<string, unknown>, on?: Agent) {
  return (on ?? (await api()))
    .post(`${CONV}/${conversationId}/messages`)
    .set(bearer(user.accessToken))
    .send({ clientMessageId: clientId(), ...body });
}

/** Whether a private object is in the local storage's folder. */
export const storedLocally = (key: string) =>
  access(path.join(config.storage.localPrivateDir, key.replace(/^private\//, ''))).then(
    () => true,
    () => false,
  );

/** `count` uploads of `uploaderId`'s still being processed (stored straight, as the media job would find them). */
export async function uploadsWaiting(uploaderId: string, conversationId: string, count: number) {
  await ChatAttachment.insertMany(
    Array.from({ length: count }, () => ({
      conversationId,
      uploaderId,
      kind: 'video',
      status: 'processing',
      storage: 'local',
      sourceKey: `private/chat/none/${randomUUID()}`,
    })),
  );
}
