/**
 * Review of issue 11 (discovery): a device's page title is shown as the page shows it, with
 * HTML character references decoded — named (`&amp;`, `&ndash;`, `&uuml;`) and numeric
 * (`&#8211;`, `&#x2013;`) — read by the real probe from a web server on loopback.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeHtmlEntities } from '../../main/discovery/html-entities.js';
import { probePort } from '../../main/discovery/probe.js';
import { webServer } from './support.js';

test('review, issue 11 discovery: the probe decodes named and numeric HTML entities in a page title', async () => {
  const page = '<html><head><title>Wallbox &amp; Co &#8211; Ladestation M&uuml;nchen &ndash; Login &#x2122; &copy;2026</title></head></html>';
  const server = await webServer('127.0.94.1', 0, page);
  try {
    const facts = await probePort('127.0.94.1', server.port, 2000, new AbortController().signal);
    assert.equal(facts.title, 'Wallbox & Co – Ladestation München – Login ™ ©2026');
  } finally {
    await server.close();
  }
});

test('review, issue 11 discovery: entity decoding keeps text that is not a known reference, and refuses no code point silently', () => {
  assert.equal(decodeHtmlEntities('AT&T &notanentity; &amp &lt;b&gt; &quot;x&quot; &apos;y&#39;'), 'AT&T &notanentity; &amp <b> "x" \'y\'');
  assert.equal(decodeHtmlEntities('&#0; &#xD800; &#1114112; &#128512;'), '\uFFFD \uFFFD \uFFFD 😀');
  assert.equal(decodeHtmlEntities('&nbsp;&yuml;&Auml;&szlig;&euro;&hellip;'), '\u00A0ÿÄß€…');
});
