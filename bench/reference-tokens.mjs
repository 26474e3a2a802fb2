// Greedy token ids from transformers.js for a prompt given as token ids, to check that Kaiyuan produces
// the same tokens on the same folder:
//
//   ./kaiyuan generate --model DIR --prompt "你好" --temperature 0 --max-new-tokens 64 --json > k.json
//   node bench/reference-tokens.mjs --model DIR --kaiyuan-json k.json [--repetition-penalty R]
//
// prints {"same": true|false, "kaiyuan": [...], "reference": [...]}; exit code 1 when they differ.
import fs from 'node:fs';
import path from 'node:path';
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
const folder = path.resolve(args.model);
const kaiyuan = JSON.parse(fs.readFileSync(args['kaiyuan-json'], 'utf8'));
env.allowRemoteModels = false;
env.localModelPath = path.dirname(folder) + path.sep;
const model = await AutoModelForCausalLM.from_pretrained(path.basename(folder), {
  local_files_only: true, dtype: args.dtype ?? kaiyuan.variant ?? 'fp32', device: 'cpu',
  use_external_data_format: args['external-data'] === 'true',
});
const prompt = kaiyuan.prompt_token_ids.map(BigInt);
const n = kaiyuan.token_ids.length;
const output = await model.generate({
  input_ids: new Tensor('int64', BigInt64Array.from(prompt), [1, prompt.length]),
  attention_mask: new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]),
  max_new_tokens: n, do_sample: false,
  ...(args['repetition-penalty'] ? { repetition_penalty: Number(args['repetition-penalty']) } : {}),
});
const reference = Array.from(output.data).slice(prompt.length).map(Number);
const same = JSON.stringify(reference) === JSON.stringify(kaiyuan.token_ids);
console.log(JSON.stringify({ same, kaiyuan: kaiyuan.token_ids, reference }));
process.exit(same ? 0 : 1);
