import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/**
 * What Pulumi's dynamic-provider host does with a provider's inputs and outputs before the engine
 * sees them: a protobuf Struct. It refuses values JSON has no place for (undefined, functions,
 * Buffers) with "Unexpected struct type", which fails a real `pulumi up` while a direct call of the
 * provider passes. Tests run outputs through it so the two cannot differ.
 */
export function throughEngineStruct<T>(value: T): T {
  return Struct.fromJavaScript(value as Record<string, never>).toJavaScript() as T;
}
