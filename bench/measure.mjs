/* global performance */
// One benchmark measurement, run in its own child process by `bench/run.ts` so that its peak RSS
// is its own. Plain JavaScript on the compiled `dist/` (what `sonoteca` runs in production), so
// the TypeScript loader's memory is not counted.
// Usage: node bench/measure.mjs '<json {mode: "decode"|"analyze", files: string[], type?}>'
// Prints one JSON line: {wallSec, audioSec, cpuSec, maxRssMb, analyzers, framingMs, failures}.
const lib = new URL('../dist/', import.meta.url);
const { analyzeFile } = await import(new URL('pipeline/analyze-file.js', lib).href);
const { probeFile } = await import(new URL('audio/probe.js', lib).href);
const { startDecode } = await import(new URL('audio/decode.js', lib).href);

const req = JSON.parse(process.argv[2] ?? '{}');
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let audioSec = 0;
let framingMs = 0;
const analyzers = {};
const failures = [];

for (const file of req.files) {
  try {
    if (req.mode === 'decode') {
      // The decode the pipeline starts for the technical type (analysis pipe + native pipe),
      // output discarded.
      const probe = await probeFile(file);
      const s = startDecode(file, {
        nativeChannels: probe.audio_info.channels,
        nativeRateHz: probe.audio_info.sample_rate,
        onNative: () => undefined,
      });
      for await (const block of s.analysis) void block;
      audioSec += (await s.done).decodedDurationSec;
    } else {
      const report = await analyzeFile(file, { processingType: req.type ?? 'technical' });
      audioSec += report.audio_info.decoded_duration;
      framingMs += report.processing.framing_ms;
      for (const a of report.processing.analyzers) {
        const key = `${a.stage}/${a.name}`;
        analyzers[key] ??= { stage: a.stage, section: a.section, cpuMs: 0 };
        analyzers[key].cpuMs += a.cpu_ms;
      }
      for (const [name, s] of Object.entries(report.results)) {
        if (s.status === 'failed') failures.push(`${file}: ${name} failed (${s.error?.code})`);
      }
    }
  } catch (e) {
    failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    wallSec: (performance.now() - t0) / 1000,
    audioSec,
    cpuSec: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    analyzers,
    framingMs,
    failures,
  })}\n`,
);
