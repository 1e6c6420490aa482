import { expect } from 'chai';
import { ESLint } from 'eslint';

/**
 * The layer table of ARCHITECTURE.md is enforced by ESLint (eslint.config.js): each breach
 * below, written into a file of that folder, must fail lint; the allowed imports pass.
 */
describe('layer rules (ESLint)', function () {
  this.timeout(60_000);
  const eslint = new ESLint();
  const problems = async (filePath: string, code: string) =>
    (await eslint.lintText(code, { filePath }))[0]!.messages.filter(
      (m) => m.ruleId === '@typescript-eslint/no-restricted-imports',
    );

  const breaches: [string, string][] = [
    ['models/x.model.ts', "import { login } from '../services/auth/auth.service.js';\nexport const x = login;\n"],
    ['controllers/x.controller.ts', "import { User } from '../models/user.model.js';\nexport const x = User;\n"],
    ['sockets/x.handlers.ts', "import { Message } from '../models/message.model.js';\nexport const x = Message;\n"],
    ['routes/x.routes.ts', "import { Post } from '../models/post.model.js';\nexport const x = Post;\n"],
    ['services/x.service.ts', "import express from 'express';\nexport const x = express;\n"],
    ['services/chat/x.service.ts', "import { login } from '../../controllers/auth.controller.js';\nexport const x = login;\n"],
    ['services/x2.service.ts', "import { Server } from 'socket.io';\nexport const x = Server;\n"],
    ['jobs/x.job.ts', "import { Payment } from '../models/payment.model.js';\nexport const x = Payment;\n"],
    ['validators/x.validators.ts', "import { search } from '../services/people/search.service.js';\nexport const x = search;\n"],
    ['utils/x.ts', "import { config } from '../config/index.js';\nexport const x = config;\n"],
  ];
  for (const [file, code] of breaches) {
    it(`refuses: ${code.split('\n')[0]} in ${file}`, async () => {
      expect(await problems(file, code)).to.have.length.greaterThan(0);
    });
  }

  it('lets the allowed imports through', async () => {
    const allowed: [string, string][] = [
      ['controllers/x.controller.ts', "import type { ROLES } from '../models/user.model.js';\nexport type X = typeof ROLES;\n"],
      ['services/x.service.ts', "import { User } from '../models/user.model.js';\nexport const x = User;\n"],
      ['jobs/x.job.ts', "import { runCleanup } from '../services/cleanup.service.js';\nexport const x = runCleanup;\n"],
    ];
    for (const [file, code] of allowed) expect(await problems(file, code), file).to.deep.equal([]);
  });
});
