/** The sandbox core: what every vendor simulator builds on (see README.md). */
export { handleAdmin } from "./admin-router.ts";
export { ByteSink } from "./byte-sink.ts";
export { type ServerHandle, startServer } from "./http.ts";
export { defaultKnobs, type FailNext, type Knobs, type KnobsPatch, mergeKnobs } from "./knobs.ts";
export type { KeyValue, ObjectDef, TruthLinks } from "./object-def.ts";
export {
  ObjectStore,
  type RecordVersion,
  type StoreOp,
  type TruthRecord,
  type VersionRef,
} from "./object-store.ts";
export { type RateCounters, type RateDecision, RateMeter } from "./rate-meter.ts";
export { bodyForm, bodyJson, type Handler, json, type Reply, type SandboxRequest } from "./reply.ts";
export { hash32, hashAfter, hashPrefix, pick, SeqRng, strHash, unit } from "./rng.ts";
export { type ClockState, SandboxClock } from "./sandbox-clock.ts";
export { VersionList } from "./version-list.ts";
export { type FaultClass, SandboxWorld, type WorldOptions } from "./world.ts";
