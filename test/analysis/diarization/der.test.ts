import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assignMaxScore,
  computeDer,
  parseRttm,
  parseUem,
  type SpeakerTurn,
} from '../../../src/analysis/diarization/der.js';

const near = (a: number, b: number, msg = ''): void =>
  assert.ok(Math.abs(a - b) < 1e-9, `${msg} expected ${b}, got ${a}`);

const ref: SpeakerTurn[] = [
  { speaker: 'A', start: 0, end: 10 },
  { speaker: 'B', start: 10, end: 20 },
];

test('perfect hypothesis scores 0', () => {
  const r = computeDer(ref, ref);
  near(r.der, 0);
  near(r.totalSec, 20);
});

test('empty hypothesis is all missed (DER = 1)', () => {
  const r = computeDer(ref, []);
  near(r.der, 1);
  near(r.missedSec, 20);
});

test('swapped labels score 0 after the optimal mapping', () => {
  const hyp = [
    { speaker: 'x', start: 0, end: 10 },
    { speaker: 'y', start: 10, end: 20 },
  ];
  const r = computeDer(ref, hyp);
  near(r.der, 0);
  assert.deepEqual(r.mapping, { x: 'A', y: 'B' });
  const r2 = computeDer(ref, [
    { speaker: 'y', start: 0, end: 10 },
    { speaker: 'x', start: 10, end: 20 },
  ]);
  near(r2.der, 0);
});

test('a known confusion, false alarm and miss', () => {
  // hyp says x for 0–13 (3 s of B's time wrongly x), y for 13–20, plus 2 s FA at 20–22,
  // and nothing in 0–1 (1 s missed).
  const hyp = [
    { speaker: 'x', start: 1, end: 13 },
    { speaker: 'y', start: 13, end: 22 },
  ];
  const r = computeDer(ref, hyp);
  near(r.missedSec, 1);
  near(r.falseAlarmSec, 2);
  near(r.confusionSec, 3);
  near(r.der, 6 / 20);
});

test('one hypothesis speaker for two reference speakers: the larger one is mapped', () => {
  const r = computeDer(ref, [{ speaker: 'x', start: 0, end: 20 }]);
  near(r.confusionSec, 10);
  near(r.der, 0.5);
});

test('collar removes ±collar around every reference boundary', () => {
  // Boundary error of 0.2 s at t=10: hyp switches at 10.2.
  const hyp = [
    { speaker: 'x', start: 0, end: 10.2 },
    { speaker: 'y', start: 10.2, end: 20 },
  ];
  near(computeDer(ref, hyp).confusionSec, 0.2);
  const r = computeDer(ref, hyp, { collarSec: 0.25 });
  near(r.der, 0);
  // Scored: 0–20 minus [−.25,.25], [9.75,10.25] (twice, A's end and B's start), [19.75,20.25].
  near(r.scoredSec, 20 - 0.25 - 0.5 - 0.25);
  near(r.totalSec, 19);
});

test('overlap is scored: two reference speakers at once need two hypothesis speakers', () => {
  const refO: SpeakerTurn[] = [
    { speaker: 'A', start: 0, end: 10 },
    { speaker: 'B', start: 5, end: 15 },
  ];
  // total = 20 speaker-seconds. A hypothesis without overlap misses 5 s.
  const noOv = [
    { speaker: 'x', start: 0, end: 10 },
    { speaker: 'y', start: 10, end: 15 },
  ];
  const r = computeDer(refO, noOv);
  near(r.totalSec, 20);
  near(r.missedSec, 5);
  near(r.confusionSec, 0);
  near(r.der, 0.25);
  const withOv = [
    { speaker: 'x', start: 0, end: 10 },
    { speaker: 'y', start: 5, end: 15 },
  ];
  near(computeDer(refO, withOv).der, 0);
});

test('only the UEM is scored', () => {
  const hyp = [
    { speaker: 'x', start: 0, end: 10 },
    { speaker: 'x', start: 10, end: 20 },
  ];
  const r = computeDer(ref, hyp, { uem: [{ start: 0, end: 10 }] });
  near(r.der, 0);
  near(r.totalSec, 10);
});

test('Hungarian assignment maximises the total score on a rectangular matrix', () => {
  // Greedy would take (0,0)=9 then (1,1)=1 → 10; optimum is (0,1)+(1,0) = 8+8 = 16.
  assert.deepEqual(
    assignMaxScore([
      [9, 8, 0],
      [8, 1, 0],
    ]),
    [1, 0],
  );
  assert.deepEqual(assignMaxScore([[1], [5], [2]]), [-1, 0, -1]);
});

test('RTTM and UEM parsers read the NIST formats and reject malformed lines', () => {
  const rt = parseRttm(
    ';; comment\nSPEAKER f1 1 2.977 0.391 <NA> <NA> FEO066 <NA> <NA>\nSPEAKER f2 1 1 2 <NA> <NA> S <NA> <NA>\n',
  );
  assert.equal(rt.get('f1')![0]!.speaker, 'FEO066');
  near(rt.get('f1')![0]!.end, 3.368);
  assert.throws(() => parseRttm('SPEAKER f 1 abc 1 <NA> <NA> s', 'x.rttm'), /x\.rttm.*line 1/);
  const uem = parseUem('f1 NA 0.000 30.000\n');
  assert.deepEqual(uem.get('f1'), [{ start: 0, end: 30 }]);
  assert.throws(() => parseUem('f1 NA 5 2'), /SONO|UEM/);
});
