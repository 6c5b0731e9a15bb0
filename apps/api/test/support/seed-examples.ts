import { readFileSync } from 'node:fs';

export interface CurlExample {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Removes `// …` comments outside JSON strings, as a reader copying the example would. */
export function stripJsComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Reads one shell command starting at `from` into words, honouring quotes (which may span lines)
 * and backslash-newline continuations; the command ends at the first other newline.
 */
function shellWords(text: string, from: number): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '\\' && text[i + 1] === '\n') {
      i++;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
      if (ch === '\n') return words;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

/** Every `curl` command of the page, in order. */
export function curlExamples(text: string): CurlExample[] {
  return [...text.matchAll(/^curl /gm)].map((match) => {
    const words = shellWords(text, match.index ?? 0).slice(1);
    const example: CurlExample = { method: 'GET', url: '', headers: {} };
    for (let i = 0; i < words.length; i++) {
      const word = words[i] ?? '';
      if (word === '-X') example.method = words[++i] ?? '';
      else if (word === '-H') {
        const [name, ...value] = (words[++i] ?? '').split(':');
        example.headers[(name ?? '').trim().toLowerCase()] = value.join(':').trim();
      } else if (word === '-d') example.body = words[++i];
      else example.url = word;
    }
    return example;
  });
}

/** The request bodies of the page's "use cases" section: each `{…}` block after its `// purpose` line. */
export function useCaseBodies(text: string): { purpose: string; body: string }[] {
  const section = text.slice(text.indexOf('1. 새 앱 만들기'));
  return [...section.matchAll(/^\/\/ (.+)\n(\{[\s\S]*?\n\})/gm)].map((match) => ({
    purpose: match[1] ?? '',
    body: match[2] ?? '',
  }));
}

export function readSeedPage(): string {
  return readFileSync(new URL('../../../../docs/seed/app-api-docs.ko.txt', import.meta.url), 'utf8');
}
