/**
 * onnxruntime-node sessions: created once per model and reused (lazy singletons). One intra-op
 * thread each by default: concurrency comes from running analyses in parallel workers.
 * OZ_ORT_THREADS overrides the thread count.
 */
import * as ort from 'onnxruntime-node';
import { resolveModel, type ModelName, type ResolvedModel } from '../../models/manifest';
import { visionSettings } from './settings';

export interface LoadedModel {
  session: ort.InferenceSession;
  model: ResolvedModel;
  inputName: string;
}

const sessions = new Map<string, Promise<LoadedModel>>();

const threads = (): number => visionSettings().ortThreads;

async function create(name: ModelName): Promise<LoadedModel> {
  const model = resolveModel(name);
  const session = await ort.InferenceSession.create(model.path, {
    intraOpNumThreads: threads(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  return { session, model, inputName: session.inputNames[0] ?? 'input' };
}

/** The session for a model, created on first use (verifying the file's sha256). */
export function getModel(name: ModelName): Promise<LoadedModel> {
  let p = sessions.get(name);
  if (!p) {
    p = create(name);
    sessions.set(name, p);
    // a failed load must not poison the cache: the next call retries
    p.catch(() => sessions.delete(name));
  }
  return p;
}

/** Runs a single-input model and returns its outputs. */
export async function runModel(m: LoadedModel, data: Float32Array, dims: readonly number[]): Promise<ort.InferenceSession.OnnxValueMapType> {
  const feeds: Record<string, ort.Tensor> = { [m.inputName]: new ort.Tensor('float32', data, dims) };
  return m.session.run(feeds);
}

export function outputData(out: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const t = out[name] ?? Object.values(out)[0];
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`model output ${name} missing or not float32`);
  return t.data;
}

export function softmax(v: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]!);
  const e: number[] = [];
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = Math.exp(v[i]! - max);
    e.push(x);
    sum += x;
  }
  return e.map((x) => x / sum);
}

/** The models whose sessions this process has created (or is creating): each loads on first use. */
export function loadedModels(): string[] {
  return [...sessions.keys()];
}

/** Forgets all sessions (tests). */
export function resetSessions(): void {
  sessions.clear();
}
