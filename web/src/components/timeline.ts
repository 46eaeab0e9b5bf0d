/**
 * The timeline: waveform (overview + zoom) drawn from stored peaks, the spectrogram, one lane per
 * segment class and one per speaker, QC findings, editable segment boundaries. It knows nothing
 * of HTTP: it is given peaks, lanes and an audio URL, and reports edits through callbacks.
 */
import WaveSurfer from 'wavesurfer.js';
import Minimap from 'wavesurfer.js/dist/plugins/minimap.esm.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.esm.js';
import { h } from '../dom.js';

export interface LaneItem {
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly title?: string;
}

export interface Lane {
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly items: readonly LaneItem[];
}

export interface Spectrogram {
  readonly n_mels: number;
  readonly columns: number;
  /** uint8, n_mels per column, lowest band first. */
  readonly data: Uint8Array;
}

export interface TimelineOptions {
  readonly container: HTMLElement;
  readonly durationSec: number;
  /** Interleaved min,max in [-1, 1], finest stored level. */
  readonly peaks: Float32Array;
  readonly spectrogram?: Spectrogram;
  readonly audioUrl: string;
  /** The editable lane (segmentation segments), drawn as regions on the waveform. */
  readonly segments: readonly (LaneItem & { readonly color: string })[];
  readonly editable: boolean;
  readonly lanes: readonly Lane[];
  onBoundaryMoved?(index: number, edge: 'start' | 'end', toSec: number): void;
  onSegmentSelected?(index: number): void;
}

export const SEGMENT_COLORS: Readonly<Record<string, string>> = {
  speech: 'rgba(46, 117, 182, 0.35)',
  music: 'rgba(214, 122, 0, 0.35)',
  speech_over_music: 'rgba(128, 70, 170, 0.35)',
  singing: 'rgba(200, 40, 90, 0.35)',
  noise: 'rgba(110, 110, 110, 0.35)',
  silence: 'rgba(220, 220, 220, 0.25)',
};

function drawSpectrogram(canvas: HTMLCanvasElement, s: Spectrogram): void {
  canvas.width = Math.max(1, s.columns);
  canvas.height = s.n_mels;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(s.columns, s.n_mels);
  for (let c = 0; c < s.columns; c++)
    for (let m = 0; m < s.n_mels; m++) {
      const v = s.data[c * s.n_mels + m] ?? 0;
      const o = ((s.n_mels - 1 - m) * s.columns + c) * 4;
      // A dark-to-warm ramp: readable in print and by colour-blind readers (luminance carries it).
      img.data[o] = Math.min(255, v * 1.4);
      img.data[o + 1] = Math.max(0, v * 1.1 - 60);
      img.data[o + 2] = Math.max(0, 90 - v * 0.3) + (v > 220 ? v - 220 : 0);
      img.data[o + 3] = 255;
    }
  ctx.putImageData(img, 0, 0);
}

export class Timeline {
  readonly ws: WaveSurfer;
  private readonly regions: ReturnType<typeof RegionsPlugin.create>;
  private readonly laneInner: HTMLElement;
  private readonly laneScroll: HTMLElement;
  private segRegions: Region[] = [];
  private pxPerSec = 0;

  constructor(private readonly o: TimelineOptions) {
    const wave = h('div', { class: 'wave', role: 'img', 'aria-label': 'Waveform; click to seek' });
    this.laneInner = h('div', { class: 'lane-inner' });
    this.laneScroll = h('div', { class: 'lane-scroll' }, this.laneInner);
    o.container.replaceChildren(wave, this.laneScroll);
    this.regions = RegionsPlugin.create();
    this.ws = WaveSurfer.create({
      container: wave,
      url: o.audioUrl,
      peaks: [o.peaks],
      duration: o.durationSec,
      height: 110,
      waveColor: '#4a6f8a',
      progressColor: '#1d3b53',
      cursorColor: '#b00020',
      normalize: true,
      minPxPerSec: 0,
      autoScroll: true,
      plugins: [
        this.regions,
        Minimap.create({ height: 36, waveColor: '#9fb3c2', progressColor: '#4a6f8a' }),
      ],
    });
    const media = this.ws.getMediaElement();
    if (media) media.preload = 'metadata';
    this.renderLanes();
    this.ws.on('ready', () => this.addRegions());
    // Peaks are given, so the waveform is drawn before any audio arrives: add regions now too.
    this.ws.once('redrawcomplete', () => this.addRegions());
    this.ws.on('scroll', (_a, _b, left) => (this.laneScroll.scrollLeft = left));
    this.ws.on('zoom', () => this.syncWidth());
    this.ws.on('redrawcomplete', () => this.syncWidth());
    this.regions.on('region-updated', (r, side) => {
      const i = this.segRegions.indexOf(r);
      if (i < 0 || !this.o.onBoundaryMoved) return;
      const edge = side === 'start' ? 'start' : 'end';
      this.o.onBoundaryMoved(i, edge, edge === 'start' ? r.start : r.end);
    });
    this.regions.on('region-clicked', (r, e) => {
      e.stopPropagation();
      const i = this.segRegions.indexOf(r);
      if (i >= 0) this.o.onSegmentSelected?.(i);
      r.play(true);
    });
  }

  private addRegions(): void {
    if (this.segRegions.length > 0) return;
    this.segRegions = this.o.segments.map((s, i) =>
      this.regions.addRegion({
        id: `seg-${i}`,
        start: s.start,
        end: s.end,
        color: s.color,
        drag: false,
        resize: this.o.editable,
        content: s.label.replace(/_/g, ' '),
      }),
    );
  }

  private syncWidth(): void {
    const w = this.ws.getWrapper().scrollWidth;
    this.laneInner.style.width = `${w}px`;
    this.laneScroll.scrollLeft = this.ws.getScroll();
  }

  private renderLanes(): void {
    const d = this.o.durationSec || 1;
    const rows: HTMLElement[] = [];
    if (this.o.spectrogram) {
      const canvas = h('canvas', {
        class: 'spectrogram',
        role: 'img',
        'aria-label': 'Mel spectrogram, low to high frequency upwards',
      });
      drawSpectrogram(canvas, this.o.spectrogram);
      rows.push(
        h('div', { class: 'lane spec' }, h('span', { class: 'lane-label' }, 'Spectrogram'), canvas),
      );
    }
    for (const lane of this.o.lanes) {
      const row = h(
        'div',
        { class: 'lane', 'data-lane': lane.id },
        h('span', { class: 'lane-label' }, lane.label),
      );
      for (const it of lane.items) {
        const b = h('button', {
          type: 'button',
          class: 'lane-item',
          title: it.title ?? `${it.label} ${it.start.toFixed(1)}–${it.end.toFixed(1)} s`,
          'aria-label': `${lane.label}: ${it.title ?? it.label}, ${it.start.toFixed(1)} to ${it.end.toFixed(1)} seconds; play`,
          style: `left:${(it.start / d) * 100}%;width:${Math.max(0.15, ((it.end - it.start) / d) * 100)}%;background:${lane.color}`,
        });
        b.addEventListener('click', () => this.playRange(it.start, it.end));
        row.append(b);
      }
      rows.push(row);
    }
    this.laneInner.replaceChildren(...rows);
  }

  playRange(start: number, end: number): void {
    this.ws.setTime(start);
    void this.ws.play(start, end);
  }

  togglePlay(): void {
    void this.ws.playPause();
  }

  skip(sec: number): void {
    this.ws.setTime(Math.max(0, Math.min(this.o.durationSec, this.ws.getCurrentTime() + sec)));
  }

  /** Jumps to the next (+1) or previous (-1) segment boundary and returns its index. */
  jumpRegion(dir: 1 | -1): number {
    const t = this.ws.getCurrentTime();
    const segs = this.o.segments;
    let i = dir > 0 ? segs.findIndex((s) => s.start > t + 0.05) : -1;
    if (dir < 0)
      for (let k = segs.length - 1; k >= 0; k--)
        if (segs[k]!.start < t - 0.05) {
          i = k;
          break;
        }
    if (i < 0) return -1;
    this.ws.setTime(segs[i]!.start);
    this.o.onSegmentSelected?.(i);
    return i;
  }

  zoom(factor: number): void {
    const base = this.pxPerSec || this.ws.getWrapper().clientWidth / (this.o.durationSec || 1);
    this.pxPerSec = Math.max(1, Math.min(2000, base * factor));
    this.ws.zoom(this.pxPerSec);
  }

  destroy(): void {
    this.ws.destroy();
  }
}
