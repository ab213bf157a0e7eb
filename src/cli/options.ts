// Option parsers and choices shared by the CLI's commands. Every bad value is
// refused by commander before any trainer process starts, as one line that
// names the option and what it accepts (never a zod dump, never a hang).
import { InvalidArgumentError, Option } from 'commander';
import { MAX_SEED } from '../core/lib/seed';
import { BackendChoiceSchema, DataNameSchema } from '../protocol/trainer';

export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

export const positiveNumber = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** Seeds are whole numbers; parseInt would read "abc" as NaN and "1.5" as 1. */
export const wholeNumber = (v: string): number => {
  if (!/^\s*-?\d+\s*$/.test(v)) throw new InvalidArgumentError('expected a whole number');
  return Number(v);
};

/** A seed: a whole number from 0 to 4294967295, used as given (never taken mod 2^32). */
export const seedNumber = (v: string): number => {
  const n = wholeNumber(v);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_SEED)
    throw new InvalidArgumentError(`expected a whole number from 0 to ${MAX_SEED}`);
  return n;
};

export const buildTimeoutOption = () =>
  new Option(
    '--build-timeout <s>',
    'seconds the model file may take to build its model before the trainer is stopped (default 60)',
  ).argParser(positiveNumber);

export const BACKENDS = BackendChoiceSchema.options;
export const DATA_NAMES = DataNameSchema.options;

export const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend').choices(BACKENDS).default('auto');
export const graphOption = (
  description = 'native backend: run each training step as one TensorFlow graph (default on; off: eager, op by op)',
) => new Option('--graph <on|off>', description).choices(['on', 'off']);
export const dataOption = (description = 'data set') => new Option('--data <name>', description).choices(DATA_NAMES);
