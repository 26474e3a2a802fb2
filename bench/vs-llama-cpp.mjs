// Kaiyuan against llama.cpp on the same 4-bit weights (made by BenchModels; see llama-cpp.md): alternating rounds
// of `./kaiyuan bench` on the onnx-community q4 folder and the GenAI folder and of llama-cpp.mjs on the GGUF, the
// same prompt tokens, lengths and threads; prints every round's figures and a table of medians with the ratios to
// llama.cpp. Peak resident memory is each process's high-water mark (GNU time).
//
//   node vs-llama-cpp.mjs --dir /tmp/bm05 [--threads 2] [--rounds 3] [--runs 3] [--prompt-tokens 512] [--new-tokens 128]
//                         [--only q4,q4f16,exact,level4,genai,fp32,llama]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
if (!args.dir) {
  console.error('usage: node vs-llama-cpp.mjs --dir DIR [--threads 2] [--rounds 3] [--runs 3] [--prompt-tokens 512] [--new-tokens 128]');
  process.exit(2);
}
const dir = path.resolve(args.dir);
const threads = args.threads ?? '2';
const rounds = Number(args.rounds ?? 3);
const runs = args.runs ?? '3';
const promptTokens = args['prompt-tokens'] ?? '512';
const newTokens = args['new-tokens'] ?? '128';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = (args.only ?? 'q4,exact,level4,genai,fp32,llama').split(',');

const engines = [];
const kaiyuan = (name, folder, variant, ...extra) => ({
  name, cmd: [path.join(root, 'kaiyuan'), 'bench', '--model', folder, '--variant', variant, '--threads', threads,
    '--prompt-tokens', promptTokens, '--new-tokens', newTokens, '--runs', runs, '--json', ...extra],
});
// as a user runs it: rebuilt with fused attention and int8 compute on first load
if (only.includes('q4')) engines.push(kaiyuan('Kaiyuan onnx-community q4', path.join(dir, 'onnx-community'), 'q4'));
if (only.includes('q4f16') && existsSync(path.join(dir, 'onnx-community/onnx/model_q4f16.onnx'))) {
  engines.push(kaiyuan('Kaiyuan onnx-community q4f16', path.join(dir, 'onnx-community'), 'q4f16'));
}
if (only.includes('exact')) {
  engines.push(kaiyuan('Kaiyuan q4 --exact (as exported)', path.join(dir, 'onnx-community'), 'q4', '--exact'));
}
if (only.includes('fp32') && existsSync(path.join(dir, 'onnx-community/onnx/model.onnx'))) {
  engines.push(kaiyuan('Kaiyuan onnx-community fp32', path.join(dir, 'onnx-community'), 'fp32'));
}
if (only.includes('level4') && existsSync(path.join(dir, 'onnx-community-level4'))) {
  // the graph as exported with accuracy_level 4, run as it is: int8 compute without fusion
  engines.push(kaiyuan('Kaiyuan q4 accuracy_level 4, unfused', path.join(dir, 'onnx-community-level4'), 'q4', '--exact'));
}
if (only.includes('genai')) engines.push(kaiyuan('Kaiyuan GenAI', path.join(dir, 'genai'), 'genai'));
if (only.includes('llama')) {
  engines.push({ name: 'llama.cpp Q4_0', cmd: ['node', path.join(root, 'bench/llama-cpp.mjs'), '--model',
    path.join(dir, 'model-q4_0.gguf'), '--threads', threads, '--prompt-tokens', promptTokens, '--new-tokens', newTokens,
    '--runs', runs] });
}

const results = Object.fromEntries(engines.map(e => [e.name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const e of engines) {
    const run = spawnSync('/usr/bin/time', ['-f', 'peak_rss_kb=%M', ...e.cmd], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const json = run.stdout.split('\n').find(l => l.startsWith('{'));
    const rss = /peak_rss_kb=(\d+)/.exec(run.stderr);
    if (run.status !== 0 || !json) {
      console.error(`${e.name} failed (exit ${run.status}):\n${run.stderr}`);
      process.exit(1);
    }
    const r = JSON.parse(json);
    const figures = { ttft_ms: r.engine?.ttft_ms ?? r.ttft_ms, prefill: r.engine?.prefill_tokens_per_s ?? r.prefill_tokens_per_s,
      decode: r.engine?.decode_tokens_per_s ?? r.decode_tokens_per_s, rss_mb: rss ? Number(rss[1]) / 1024 : NaN,
      bare_decode: r.bare?.decode_tokens_per_s };
    results[e.name].push(figures);
    console.log(`round ${round}  ${e.name.padEnd(28)} TTFT ${figures.ttft_ms.toFixed(0)} ms  prefill ${figures.prefill.toFixed(1)}`
      + ` tok/s  decode ${figures.decode.toFixed(2)} tok/s  peak RSS ${figures.rss_mb.toFixed(0)} MB`
      + (figures.bare_decode ? `  (bare loop decode ${figures.bare_decode.toFixed(2)})` : ''));
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, {
  ttft: median(v.map(x => x.ttft_ms)), prefill: median(v.map(x => x.prefill)), decode: median(v.map(x => x.decode)),
  rss: median(v.map(x => x.rss_mb)) }]));
const ref = m['llama.cpp Q4_0'];
console.log(`\nmedians of ${rounds} alternating rounds (each a median of ${runs} runs), ${threads} threads, ${promptTokens}-token prompt,`
  + ` ${newTokens} new tokens`);
console.log('| engine | TTFT ms | prefill tok/s | decode tok/s | peak RSS MB |');
console.log('|---|---|---|---|---|');
for (const [name, x] of Object.entries(m)) {
  const ratio = (v, r, inverse) => ref && name !== 'llama.cpp Q4_0' ? ` (${(inverse ? r / v : v / r).toFixed(2)}x)` : '';
  console.log(`| ${name} | ${x.ttft.toFixed(0)}${ratio(x.ttft, ref?.ttft, true)} | ${x.prefill.toFixed(1)}${ratio(x.prefill, ref?.prefill)}`
    + ` | ${x.decode.toFixed(2)}${ratio(x.decode, ref?.decode)} | ${x.rss.toFixed(0)} |`);
}
