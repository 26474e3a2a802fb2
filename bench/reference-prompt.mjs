// Prompt token ids from transformers.js (apply_chat_template + tokenizer) for a model folder and an
// OpenAI-style messages file, to check Kaiyuan's rendering and tokenizing of the same conversation:
//
//   ./kaiyuan generate --model DIR --messages m.json --max-new-tokens 1 --json > k.json
//   node bench/reference-prompt.mjs --model DIR --messages m.json --kaiyuan-json k.json [--enable-thinking false]
//
// prints {"same": true|false, "kaiyuan": n, "reference": n, "text": "..."}; exit code 1 when they differ.
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
const folder = path.resolve(args.model);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(folder) + path.sep;
const tokenizer = await AutoTokenizer.from_pretrained(path.basename(folder), { local_files_only: true });
const messages = JSON.parse(fs.readFileSync(args.messages, 'utf8'));
const options = { add_generation_prompt: true, tokenize: false };
if (args['enable-thinking'] !== undefined) options.enable_thinking = args['enable-thinking'] === 'true';
const text = tokenizer.apply_chat_template(messages, options);
const reference = tokenizer.encode(text, { add_special_tokens: false });
const kaiyuan = JSON.parse(fs.readFileSync(args['kaiyuan-json'], 'utf8')).prompt_token_ids;
const same = JSON.stringify(reference) === JSON.stringify(kaiyuan);
console.log(JSON.stringify({ same, kaiyuan: kaiyuan.length, reference: reference.length, text }));
process.exit(same ? 0 : 1);
