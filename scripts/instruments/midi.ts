/**
 * Minimal Standard MIDI File (format 0) writer and the phrase generators of the training recipe.
 * Hand-written: a format-0 file is a header plus one track of delta-timed events; a dependency
 * would be larger than this file.
 */

export interface NoteEvent {
  /** Start, seconds. */
  readonly start: number;
  /** Duration, seconds. */
  readonly dur: number;
  readonly pitch: number;
  readonly velocity: number;
  /** MIDI channel 0..15 (9 = GM percussion). */
  readonly channel: number;
}

const TICKS_PER_QUARTER = 480;
/** 120 BPM: one quarter = 0.5 s, so one second = 960 ticks. */
const TICKS_PER_SEC = 960;

function vlq(n: number): number[] {
  const bytes = [n & 0x7f];
  n >>= 7;
  while (n > 0) {
    bytes.unshift((n & 0x7f) | 0x80);
    n >>= 7;
  }
  return bytes;
}

export interface ProgramChange {
  /** Seconds. */
  readonly time: number;
  readonly channel: number;
  readonly program: number;
}

/** Encodes notes and program changes as a format-0 MIDI file (120 BPM, 480 ticks/quarter). */
export function encodeMidi(
  notes: readonly NoteEvent[],
  programs: readonly ProgramChange[],
): Buffer {
  const ev: { tick: number; order: number; bytes: number[] }[] = [];
  for (const pc of programs)
    ev.push({
      tick: Math.round(pc.time * TICKS_PER_SEC),
      order: 0,
      bytes: [0xc0 | pc.channel, pc.program & 0x7f],
    });
  for (const n of notes) {
    const on = Math.round(n.start * TICKS_PER_SEC);
    const off = Math.max(on + 1, Math.round((n.start + n.dur) * TICKS_PER_SEC));
    ev.push({ tick: on, order: 2, bytes: [0x90 | n.channel, n.pitch & 0x7f, n.velocity & 0x7f] });
    ev.push({ tick: off, order: 1, bytes: [0x80 | n.channel, n.pitch & 0x7f, 0] });
  }
  ev.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const track: number[] = [];
  let last = 0;
  for (const e of ev) {
    track.push(...vlq(e.tick - last), ...e.bytes);
    last = e.tick;
  }
  track.push(...vlq(TICKS_PER_SEC), 0xff, 0x2f, 0x00); // 1 s tail, end of track
  const header = Buffer.from([
    0x4d,
    0x54,
    0x68,
    0x64,
    0,
    0,
    0,
    6,
    0,
    0,
    0,
    1,
    TICKS_PER_QUARTER >> 8,
    TICKS_PER_QUARTER & 0xff,
  ]);
  const th = Buffer.alloc(8);
  th.write('MTrk', 0, 'ascii');
  th.writeUInt32BE(track.length, 4);
  return Buffer.concat([header, th, Buffer.from(track)]);
}

/** Shifts notes by `offsetSec`. */
export function shiftNotes(notes: readonly NoteEvent[], offsetSec: number): NoteEvent[] {
  return notes.map((n) => ({ ...n, start: n.start + offsetSec }));
}

export type Rng = () => number;

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

function scaleNotes(lo: number, hi: number, tonic: number, minor: boolean): number[] {
  const steps = minor ? MINOR : MAJOR;
  const out: number[] = [];
  for (let p = lo; p <= hi; p++) if (steps.includes((((p - tonic) % 12) + 12) % 12)) out.push(p);
  return out;
}

export type PhraseKind = 'melody' | 'long' | 'chords' | 'staccato';

/**
 * A pitched phrase of about `seconds` s in [lo, hi] on `channel`.
 * melody: stepwise legato line; long: 2–4 sustained notes; chords: block triads (with bass);
 * staccato: short repeated/arpeggiated notes.
 */
export function pitchedPhrase(
  kind: PhraseKind,
  lo: number,
  hi: number,
  seconds: number,
  rnd: Rng,
  channel = 0,
): NoteEvent[] {
  const tonic = Math.floor(rnd() * 12);
  const scale = scaleNotes(lo, hi, tonic, rnd() < 0.4);
  const notes: NoteEvent[] = [];
  const vel = (): number => 50 + Math.floor(rnd() * 70);
  let t = 0.05;
  let idx = Math.floor(scale.length / 2 + (rnd() - 0.5) * scale.length * 0.5);
  const clamp = (i: number): number => Math.max(0, Math.min(scale.length - 1, i));
  if (kind === 'long') {
    while (t < seconds - 0.5) {
      const d = Math.min(seconds - t, 1.5 + rnd() * 2);
      idx = clamp(idx + Math.floor((rnd() - 0.5) * 6));
      notes.push({ start: t, dur: d * 0.95, pitch: scale[idx]!, velocity: vel(), channel });
      t += d;
    }
  } else if (kind === 'chords') {
    while (t < seconds - 0.3) {
      const d = 0.5 + rnd() * 1.5;
      idx = clamp(Math.floor(rnd() * (scale.length - 5)));
      const v = vel();
      for (const k of [0, 2, 4])
        notes.push({ start: t, dur: d * 0.9, pitch: scale[clamp(idx + k)]!, velocity: v, channel });
      if (scale[idx]! - 12 >= lo)
        notes.push({ start: t, dur: d * 0.9, pitch: scale[idx]! - 12, velocity: v, channel });
      t += d;
    }
  } else {
    const base = kind === 'staccato' ? 0.12 + rnd() * 0.15 : 0.25 + rnd() * 0.5;
    while (t < seconds - 0.1) {
      const d = base * (rnd() < 0.2 ? 2 : 1);
      idx = clamp(idx + Math.floor((rnd() - 0.5) * 5));
      const len = kind === 'staccato' ? d * 0.4 : d * 0.98;
      notes.push({ start: t, dur: len, pitch: scale[idx]!, velocity: vel(), channel });
      t += d;
    }
  }
  return notes;
}

/** GM percussion (channel 10) groove at `bpm` with random fills, ~`seconds` long. */
export function drumPhrase(
  seconds: number,
  bpm: number,
  rnd: Rng,
  style: 'kit' | 'toms' | 'hand',
): NoteEvent[] {
  const notes: NoteEvent[] = [];
  const eighth = 30 / bpm;
  const vel = (base: number): number => Math.min(127, base + Math.floor(rnd() * 30));
  for (let i = 0, t = 0.05; t < seconds - 0.1; i++, t += eighth) {
    const beat = i % 8;
    const hit = (pitch: number, v: number): void => {
      notes.push({ start: t, dur: 0.1, pitch, velocity: vel(v), channel: 9 });
    };
    if (style === 'kit') {
      if (beat === 0 || beat === 4 || (beat === 5 && rnd() < 0.3)) hit(36, 80);
      if (beat === 2 || beat === 6) hit(rnd() < 0.8 ? 38 : 40, 75);
      hit(rnd() < 0.85 ? 42 : 46, 45);
      if (i % 32 === 0) hit(49, 70);
      if (rnd() < 0.08) hit([45, 47, 48, 50][Math.floor(rnd() * 4)]!, 80);
    } else if (style === 'toms') {
      if (rnd() < 0.7) hit([41, 43, 45, 47, 48, 50][Math.floor(rnd() * 6)]!, 70);
      if (beat === 0) hit(36, 90);
      if (rnd() < 0.1) hit(51, 50);
    } else {
      if (rnd() < 0.75)
        hit([60, 61, 62, 63, 64, 65, 66, 69, 70, 75, 76, 77][Math.floor(rnd() * 12)]!, 60);
      if (beat % 4 === 0) hit([60, 63, 64][Math.floor(rnd() * 3)]!, 85);
    }
  }
  return notes;
}
