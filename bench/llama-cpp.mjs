// Runs the same measurement as `./kaiyuan bench` with llama.cpp (through node-llama-cpp and its prebuilt
// binaries) on a GGUF file, so the two can be compared on one machine with the same thread count.
//
//   cd bench && npm ci --ignore-scripts
//   node llama-cpp.mjs --model /path/to/model.gguf --threads 2 [--prompt-tokens 512] [--new-tokens 128] [--runs 5]
//   node llama-cpp.mjs --model /path/to/model.gguf --threads 2 --greedy-ids 32   (prints the greedy token ids)
//
// The prompt is the same token ids as Kaiyuan's benchmark, given as tokens (no tokenizing); greedy; the end of
// sequence is not looked at. TTFT is the time to the first generated token; decode is tokens/s after it. The
// peak resident memory is the process's (after the model is loaded and run).
import path from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
if (!args.model) {
  console.error('usage: node llama-cpp.mjs --model FILE.gguf [--threads N] [--prompt-tokens 512] [--new-tokens 128] [--runs 5]');
  process.exit(2);
}
const file = path.resolve(args.model);
const threads = Number(args.threads ?? 0);
const promptTokens = Number(args['prompt-tokens'] ?? 512);
const newTokens = Number(args['new-tokens'] ?? 128);
const runs = Number(args.runs ?? 5);

// The same prompt as Kaiyuan's Benchmark.prompt(): ordinary ids below the tokenizer's 151669.
const limit = Number(args['id-limit'] ?? 151669);
const range = Math.max(1, Math.min(limit, 100000) - 1000);
const ids = Array.from({ length: promptTokens }, (_, i) => Math.min(limit - 1, 1000 + (i * 7919) % range));

const t0 = performance.now();
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({
  contextSize: promptTokens + newTokens + 8, sequences: 1, batchSize: Math.min(512, promptTokens),
  ...(threads > 0 ? { threads } : {}),
});
const loadMs = performance.now() - t0;
const sequence = context.getSequence();

async function generate(count) {
  await sequence.clearHistory();
  const times = [];
  const tokens = [];
  const start = performance.now();
  for await (const token of sequence.evaluate(ids, { temperature: 0 })) {
    times.push(performance.now());
    tokens.push(token);
    if (tokens.length >= count) break;
  }
  return { start, times, tokens };
}

if (args['greedy-ids']) {
  const { tokens } = await generate(Number(args['greedy-ids']));
  console.log(JSON.stringify({ peer: 'llama.cpp', prompt_token_ids: ids, token_ids: tokens }));
  process.exit(0);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const ttft = [], prefill = [], decode = [];
for (let r = -1; r < runs; r++) {
  const { start, times } = await generate(newTokens);
  if (r < 0) continue;
  const first = times[0], last = times[times.length - 1];
  ttft.push(first - start);
  prefill.push(promptTokens / ((first - start) / 1000));
  decode.push((times.length - 1) / ((last - first) / 1000));
}
console.log(JSON.stringify({
  peer: 'llama.cpp', model: path.basename(file), threads, prompt_tokens: promptTokens, new_tokens: newTokens, runs,
  load_ms: Math.round(loadMs), ttft_ms: median(ttft), prefill_tokens_per_s: median(prefill),
  decode_tokens_per_s: median(decode), peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
}));
process.exit(0);
