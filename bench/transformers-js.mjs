// Runs the same measurement as `./kaiyuan bench` with transformers.js (onnxruntime-node) on the same
// model folder, so the two can be compared on one machine with the same thread count.
//
//   cd bench && npm ci --ignore-scripts
//   node transformers-js.mjs --model /path/to/folder --threads 2 [--prompt-tokens 512] [--new-tokens 128] [--runs 5]
//
// The prompt is the same token ids as Kaiyuan's benchmark; greedy; end-of-sequence ignored
// (min_new_tokens). TTFT is the time to the first generated token; decode is tokens/s after it.
import path from 'node:path';
import { AutoModelForCausalLM, BaseStreamer, Tensor, env } from '@huggingface/transformers';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
const folder = path.resolve(args.model ?? '');
const threads = Number(args.threads ?? 0);
const promptTokens = Number(args['prompt-tokens'] ?? 512);
const newTokens = Number(args['new-tokens'] ?? 128);
const runs = Number(args.runs ?? 5);
if (!args.model) {
  console.error('usage: node transformers-js.mjs --model DIR [--threads N] [--prompt-tokens 512] [--new-tokens 128] [--runs 5]');
  process.exit(2);
}

env.allowRemoteModels = false;
env.localModelPath = path.dirname(folder) + path.sep;

// The same prompt as Kaiyuan's Benchmark.prompt(): ordinary ids below the tokenizer's 151669.
const limit = Number(args['id-limit'] ?? 151669);
const range = Math.max(1, Math.min(limit, 100000) - 1000);
const ids = Array.from({ length: promptTokens }, (_, i) => BigInt(Math.min(limit - 1, 1000 + (i * 7919) % range)));

const t0 = performance.now();
const sessionOptions = { interOpNumThreads: 1 };
if (threads > 0) sessionOptions.intraOpNumThreads = threads;
const model = await AutoModelForCausalLM.from_pretrained(path.basename(folder), {
  local_files_only: true, dtype: args.dtype ?? 'fp32', device: 'cpu',
  use_external_data_format: args['external-data'] !== 'false',
  session_options: sessionOptions,
});
const loadMs = performance.now() - t0;

class Timer extends BaseStreamer {
  constructor() { super(); this.times = []; this.skipPrompt = true; }
  put() { if (this.skipPrompt) { this.skipPrompt = false; return; } this.times.push(performance.now()); }
  end() {}
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const ttft = [], prefill = [], decode = [];
for (let r = -1; r < runs; r++) {
  const input_ids = new Tensor('int64', BigInt64Array.from(ids), [1, ids.length]);
  const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
  const timer = new Timer();
  const start = performance.now();
  await model.generate({ input_ids, attention_mask, max_new_tokens: newTokens, min_new_tokens: newTokens,
    do_sample: false, streamer: timer });
  if (r < 0) continue;
  const first = timer.times[0], last = timer.times[timer.times.length - 1];
  ttft.push(first - start);
  prefill.push(promptTokens / ((first - start) / 1000));
  decode.push((timer.times.length - 1) / ((last - first) / 1000));
}
console.log(JSON.stringify({
  peer: 'transformers.js', model: path.basename(folder), threads, prompt_tokens: promptTokens,
  new_tokens: newTokens, runs, load_ms: Math.round(loadMs), ttft_ms: median(ttft),
  prefill_tokens_per_s: median(prefill), decode_tokens_per_s: median(decode),
}));
