// The local webhook receiver lives with the replay, which uses it too; tests reach it from here.
export type { HttpReceiver, RecordedRequest, ScriptedResponse } from '../../shared/replay/local-receiver';
export { startHttpReceiver } from '../../shared/replay/local-receiver';
