/**
 * General MIDI programs used as training sources, by instrument family, with playable ranges
 * (MIDI note numbers). Synth patches and sound effects are left out on purpose: they belong to no
 * acoustic family. Chromatic percussion (celesta … dulcimer) is left out too: it is
 * ambiguous between keyboard and percussion.
 */
import type { InstrumentFamily } from '../../src/analysis/instrumentation/model.js';

export interface ProgramSource {
  readonly program: number;
  readonly name: string;
  readonly family: InstrumentFamily;
  readonly lo: number;
  readonly hi: number;
  /** Chords make sense (polyphonic instrument or section). */
  readonly chords: boolean;
}

const p = (
  program: number,
  name: string,
  family: InstrumentFamily,
  lo: number,
  hi: number,
  chords = false,
): ProgramSource => ({ program, name, family, lo, hi, chords });

export const PROGRAMS: readonly ProgramSource[] = [
  // keyboard
  p(0, 'acoustic grand piano', 'keyboard', 28, 96, true),
  p(1, 'bright acoustic piano', 'keyboard', 28, 96, true),
  p(2, 'electric grand piano', 'keyboard', 28, 96, true),
  p(3, 'honky-tonk piano', 'keyboard', 36, 90, true),
  p(4, 'electric piano 1', 'keyboard', 36, 90, true),
  p(5, 'electric piano 2', 'keyboard', 36, 90, true),
  p(6, 'harpsichord', 'keyboard', 36, 88, true),
  p(7, 'clavinet', 'keyboard', 36, 84, true),
  p(16, 'drawbar organ', 'keyboard', 36, 88, true),
  p(17, 'percussive organ', 'keyboard', 36, 88, true),
  p(19, 'church organ', 'keyboard', 28, 88, true),
  p(20, 'reed organ', 'keyboard', 36, 84, true),
  p(21, 'accordion', 'keyboard', 41, 84, true),
  // plucked
  p(24, 'nylon guitar', 'plucked', 40, 79, true),
  p(25, 'steel guitar', 'plucked', 40, 79, true),
  p(26, 'jazz guitar', 'plucked', 40, 79, true),
  p(27, 'clean electric guitar', 'plucked', 40, 79, true),
  p(28, 'muted guitar', 'plucked', 40, 72, true),
  p(32, 'acoustic bass', 'plucked', 28, 55),
  p(33, 'finger bass', 'plucked', 28, 55),
  p(34, 'pick bass', 'plucked', 28, 55),
  p(35, 'fretless bass', 'plucked', 28, 55),
  p(46, 'orchestral harp', 'plucked', 36, 91, true),
  p(104, 'sitar', 'plucked', 48, 77),
  p(105, 'banjo', 'plucked', 48, 79, true),
  p(106, 'shamisen', 'plucked', 50, 79),
  p(107, 'koto', 'plucked', 48, 84),
  // strings (bowed)
  p(40, 'violin', 'strings', 55, 100),
  p(41, 'viola', 'strings', 48, 88),
  p(42, 'cello', 'strings', 36, 76),
  p(43, 'contrabass', 'strings', 28, 60),
  p(44, 'tremolo strings', 'strings', 36, 88, true),
  p(48, 'string ensemble 1', 'strings', 36, 88, true),
  p(49, 'string ensemble 2', 'strings', 36, 88, true),
  p(110, 'fiddle', 'strings', 55, 93),
  // brass
  p(56, 'trumpet', 'brass', 54, 84),
  p(57, 'trombone', 'brass', 40, 72),
  p(58, 'tuba', 'brass', 28, 58),
  p(59, 'muted trumpet', 'brass', 54, 82),
  p(60, 'french horn', 'brass', 41, 77),
  p(61, 'brass section', 'brass', 40, 80, true),
  // woodwind
  p(64, 'soprano sax', 'woodwind', 56, 87),
  p(65, 'alto sax', 'woodwind', 49, 80),
  p(66, 'tenor sax', 'woodwind', 44, 75),
  p(67, 'baritone sax', 'woodwind', 36, 68),
  p(68, 'oboe', 'woodwind', 58, 91),
  p(69, 'english horn', 'woodwind', 52, 81),
  p(70, 'bassoon', 'woodwind', 34, 72),
  p(71, 'clarinet', 'woodwind', 50, 91),
  p(72, 'piccolo', 'woodwind', 74, 102),
  p(73, 'flute', 'woodwind', 60, 96),
  p(74, 'recorder', 'woodwind', 60, 91),
  p(75, 'pan flute', 'woodwind', 60, 91),
  p(77, 'shakuhachi', 'woodwind', 55, 84),
  p(79, 'ocarina', 'woodwind', 60, 86),
  p(109, 'bagpipe', 'woodwind', 55, 77),
  p(111, 'shanai', 'woodwind', 60, 84),
  // voice
  p(52, 'choir aahs', 'voice', 45, 79, true),
  p(53, 'voice oohs', 'voice', 48, 79, true),
  p(54, 'synth voice', 'voice', 48, 79, true),
  // pitched percussion with clear drum character
  p(47, 'timpani', 'percussion', 36, 55),
  p(116, 'taiko drum', 'percussion', 36, 60),
  p(117, 'melodic tom', 'percussion', 40, 64),
  p(113, 'agogo', 'percussion', 60, 84),
  p(115, 'woodblock', 'percussion', 60, 84),
];

/** GM drum kits (channel 10, selected by program change): each a separate source. */
export const DRUM_KITS: readonly { program: number; name: string }[] = [
  { program: 0, name: 'standard kit' },
  { program: 8, name: 'room kit' },
  { program: 16, name: 'power kit' },
  { program: 24, name: 'electronic kit' },
  { program: 25, name: 'tr-808 kit' },
  { program: 32, name: 'jazz kit' },
  { program: 40, name: 'brush kit' },
  { program: 48, name: 'orchestra kit' },
];
