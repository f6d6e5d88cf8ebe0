/**
 * The entry file of a worker started where Deno makes new workers wait for a debugger (see
 * `_internal/inspector_wake.ts`): the worker host, woken from the wait on its first message.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { armInspectorWake } from "./_internal/inspector_wake.ts";
import "./worker.ts";

// Runs after the worker host has set itself up, still before any message can arrive: the
// module graph has no top-level await, so it runs to the end in one go.
armInspectorWake();
