import document from './asyncapi.json' with { type: 'json' };

/** Component keys allow [A-Za-z0-9._-] only: the event `chat:send` is keyed `chat.send`. */
export const keyOf = (event: string) => event.replace(/:/g, '.');

/** The AsyncAPI 3 document of the Socket.IO events (generated: npm run docs:events). */
export const asyncApiDocument = document;

type Json = Record<string, unknown>;
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pretty = (value: unknown) => `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;

/**
 * The document as a page to read, like /api/docs for HTTP: each event with its direction,
 * its payload and (for what clients send) its acknowledgement. No script, nothing fetched.
 */
export function asyncApiPage(): string {
  const messages = document.components.messages as Record<string, { name: string; title: string; payload: unknown }>;
  const operations = Object.entries(document.operations as Record<string, Json>);
  const sections = operations.map(([id, op]) => {
    const refs = [
      ...(op.messages as { $ref: string }[]),
      ...(((op.reply as Json | undefined)?.messages as { $ref: string }[]) ?? []),
    ];
    const shown = refs.map((r) => messages[r.$ref.split('/messages/')[1]!]!);
    const direction = op.action === 'receive' ? 'client &rarr; server' : 'server &rarr; client';
    return `<section id="${escape(id)}"><h2><code>${escape(shown[0]!.name)}</code> <small>${direction}</small></h2>${shown
      .map((m) => `<h3>${escape(m.title)}</h3>${pretty(m.payload)}`)
      .join('')}</section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(document.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f5f5f5;padding:.75rem;overflow:auto;font-size:13px}small{color:#666;font-weight:normal}</style>
</head><body><h1>${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>
<p>${escape(document.info.description)}</p><p><a href="/api/asyncapi.json">asyncapi.json</a> (AsyncAPI ${document.asyncapi}), with the schemas every payload refers to.</p>
<nav><ul>${operations.map(([id]) => `<li><a href="#${escape(id)}">${escape(id)}</a></li>`).join('')}</ul></nav>
${sections.join('\n')}
<h2>Shared schemas</h2>${pretty(document.components.schemas)}</body></html>`;
}
