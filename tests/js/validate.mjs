// Validate documents against a JSON Schema with ajv, as an editor's JavaScript would.
// Usage: node validate.mjs SCHEMA.json < documents.jsonl
// Each input line is {"name": ..., "data": ...}; each output line {"name", "valid", "errors"}.
// Strict mode: a pattern ECMAScript cannot compile, or an unknown keyword, fails the compile.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const schema = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);
const lines = readFileSync(0, "utf8").split("\n").filter((line) => line.trim());
for (const line of lines) {
  const { name, data } = JSON.parse(line);
  const valid = validate(data);
  const errors = (validate.errors || []).map((e) => `${e.instancePath} ${e.message}`);
  process.stdout.write(JSON.stringify({ name, valid, errors }) + "\n");
}
