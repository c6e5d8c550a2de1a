import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from '../../src/http/server-sent-events';
import { readNewlineDelimitedJson } from '../../src/http/newline-delimited-json';
import { bodyInReads } from '../support/body-in-reads';

const text = '\uFEFFdata: {"content":"Grüße 😀 — 中文"}\n\nevent: done\ndata: €\n\n';
const bytes = new TextEncoder().encode(text);

describe('reading a UTF-8 body in reads of any size', () => {
  it('server-sent events keep characters cut between reads whole, and drop the leading byte-order mark', async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const events = [];
      for await (const event of readServerSentEvents(bodyInReads(bytes, size), 'test')) events.push(event);
      expect(events, `reads of ${size} bytes`).toEqual([{ data: '{"content":"Grüße 😀 — 中文"}' }, { event: 'done', data: '€' }]);
    }
  });

  it('newline-delimited JSON keeps characters cut between reads whole', async () => {
    const lines = new TextEncoder().encode('{"message":"Grüße 😀"}\n{"message":"中文 €"}\n');
    for (const size of [1, 2, 3, 5]) {
      const values = [];
      for await (const value of readNewlineDelimitedJson(bodyInReads(lines, size), 'test')) values.push(value);
      expect(values, `reads of ${size} bytes`).toEqual([{ message: 'Grüße 😀' }, { message: '中文 €' }]);
    }
  });
});
