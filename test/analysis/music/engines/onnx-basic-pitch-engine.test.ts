import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OnnxBasicPitchEngine } from '../../../../src/analysis/music/engines/onnx-basic-pitch-engine.js';
import { concat, silence } from '../../../helpers/fixtures.js';
import { harmonicTone, midiToHz } from '../music-fixtures.js';

const SR = 16000;

function feed(e: OnnxBasicPitchEngine, x: Float32Array, block = 4000): void {
  for (let o = 0; o < x.length; o += block)
    e.onSamples(x.subarray(o, Math.min(x.length, o + block)), o);
}

test('basic-pitch engine: an A-major triad folds onto A, C# and E', async () => {
  const chord = (sec: number): Float32Array => {
    const out = new Float32Array(sec * SR);
    for (const m of [57, 61, 64]) {
      const t = harmonicTone(midiToHz(m), sec, SR, 0.2);
      for (let i = 0; i < out.length; i++) out[i]! += t[i]!;
    }
    return out;
  };
  const e = new OnnxBasicPitchEngine();
  feed(e, chord(10));
  const p = await e.profileOver([{ start: 0, end: 10 }]);
  assert.ok(p, 'notes heard');
  const top3 = [...p.profile.keys()].sort((a, b) => p.profile[b]! - p.profile[a]!).slice(0, 3);
  assert.deepEqual(
    top3.sort((a, b) => a - b),
    [1, 4, 9],
    `profile ${Array.from(p.profile)}`,
  );
  assert.equal(Math.max(...p.profile), 1);
  // 10 s on an 8-s grid: excerpts at 0 and 8 s (the second one only 2 s long, kept: ≥ half full)
  assert.ok(p.analysedSec > 3 && p.analysedSec <= 4.1, `analysed ${p.analysedSec}`);
});

test('basic-pitch engine: only excerpts centred in the given regions run; silence hears nothing', async () => {
  const x = concat(silence(16, SR), harmonicTone(midiToHz(62), 16, SR, 0.3));
  const e = new OnnxBasicPitchEngine();
  feed(e, x);
  assert.equal(await e.profileOver([{ start: 0, end: 16 }]), null);
  const p = await e.profileOver([{ start: 16, end: 32 }]);
  assert.ok(p);
  assert.equal(p.profile.indexOf(1), 2); // D
  assert.equal(await e.profileOver([{ start: 40, end: 50 }]), null);
});

test('basic-pitch engine: memory is bounded (excerpts capped, grid spacing doubles)', async () => {
  const e = new OnnxBasicPitchEngine({ strideSec: 1, maxExcerpts: 4 });
  // 40 s of a tone: 40 grid points at 1 s would be needed; at most 4 (+1 open) are kept
  feed(e, harmonicTone(midiToHz(69), 40, SR, 0.3), 1600);
  const excerpts = (e as unknown as { excerpts: unknown[] }).excerpts;
  assert.ok(excerpts.length <= 5, `${excerpts.length} excerpts kept`);
  const p = await e.profileOver([{ start: 0, end: 40 }]);
  assert.ok(p && p.profile.indexOf(1) === 9); // A
});
