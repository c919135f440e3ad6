// Compiles Morpho Blue 1.0.0 (npm @morpho-org/morpho-blue, source only) offline with solc 0.8.19
// (npm alias solc-0.8.19, the version Morpho.sol pins) into contracts/build/Morpho.json, in the
// Hardhat-artifact shape of the other artifacts.
//
// Settings are Morpho's own (foundry.toml of morpho-blue v1.0.0: via-IR, 999999 runs, EVM paris), so
// the devnet's Morpho is the bytecode mainnet runs and its gas figures mean something. Via-IR costs
// ~12 s instead of ~3 s, once: the artifact records a SHA-256 of the compiler version, the settings
// and every source, and a later run with the same key does nothing (so `keeper devnet up` calls this
// every time at the cost of hashing a few files).
//
// Prints the artifact's path on stdout.
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcRoot = path.join(root, 'node_modules/@morpho-org/morpho-blue/src');
const outDir = path.join(root, 'contracts/build');
const outFile = path.join(outDir, 'Morpho.json');
const solcPackage = path.join(root, 'node_modules/solc-0.8.19/package.json');

const settings = {
  optimizer: { enabled: true, runs: 999999 },
  viaIR: true,
  evmVersion: 'paris',
  outputSelection: { 'Morpho.sol': { Morpho: ['abi', 'evm.bytecode', 'evm.deployedBytecode'] } },
};

function solidityFiles(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'mocks') found.push(...solidityFiles(full));
    } else if (entry.name.endsWith('.sol')) {
      found.push(full);
    }
  }
  return found.sort();
}

if (!fs.existsSync(srcRoot) || !fs.existsSync(solcPackage)) {
  console.error('@morpho-org/morpho-blue or solc-0.8.19 is not installed (run npm ci)');
  process.exit(1);
}
const files = solidityFiles(srcRoot);
const sources = Object.fromEntries(
  files.map((f) => [path.relative(srcRoot, f), { content: fs.readFileSync(f, 'utf8') }]),
);
const solcVersion = JSON.parse(fs.readFileSync(solcPackage, 'utf8')).version;
const key = crypto
  .createHash('sha256')
  .update(JSON.stringify({ solcVersion, settings, sources }))
  .digest('hex');

if (fs.existsSync(outFile)) {
  try {
    if (JSON.parse(fs.readFileSync(outFile, 'utf8')).cacheKey === key) {
      console.log(outFile);
      process.exit(0);
    }
  } catch {
    // a damaged artifact is compiled again
  }
}

const solc = require('solc-0.8.19');
const started = Date.now();
const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings })));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const c = output.contracts['Morpho.sol'].Morpho;
const artifact = {
  contractName: 'Morpho',
  sourceName: '@morpho-org/morpho-blue/src/Morpho.sol',
  compiler: solc.version(),
  settings,
  cacheKey: key,
  abi: c.abi,
  bytecode: '0x' + c.evm.bytecode.object,
  deployedBytecode: '0x' + c.evm.deployedBytecode.object,
  linkReferences: c.evm.bytecode.linkReferences,
};
fs.mkdirSync(outDir, { recursive: true });
const tmp = outFile + '.tmp';
fs.writeFileSync(tmp, JSON.stringify(artifact, null, 2) + '\n');
fs.renameSync(tmp, outFile); // never a half-written artifact under the cached name
console.error(
  `compiled Morpho with solc ${solc.version()} (via-IR, 999999 runs, paris) in ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s: ${c.evm.deployedBytecode.object.length / 2} bytes deployed`,
);
console.log(outFile);
