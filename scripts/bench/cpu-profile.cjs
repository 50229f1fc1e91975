'use strict';
/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) as the functions with the most self time, and the
 * same time grouped by area (our code by app/lib, each dependency by package, Node internals, GC,
 * idle), for the bench report.
 */
const path = require('node:path');

function areaOf(url, root) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = file.slice(modules + 'node_modules/'.length).split('/');
    return `npm: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const relative = path.relative(root, file);
  const parts = relative.split(path.sep);
  if (parts[0] === 'dist' && (parts[1] === 'apps' || parts[1] === 'libs')) return `${parts[1]}/${parts[2]}`;
  return relative.startsWith('..') ? file : relative;
}

/**
 * `window` keeps only samples taken between fromEndUs and untilEndUs before the profile's end (the
 * profile's clock is its own; its end is the process's exit). Idle time is left out: percentages
 * are of the time the process was busy.
 */
function summariseCpuProfile(profile, root, window = {}, top = 20) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  const from = window.fromEndUs === undefined ? -Infinity : profile.endTime - window.fromEndUs;
  const until = window.untilEndUs === undefined ? Infinity : profile.endTime - window.untilEndUs;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += deltas[i] ?? 0;
    if (at < from || at > until) continue;
    const id = profile.samples[i];
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = new Map();
  const areas = new Map();
  const callers = new Map();
  for (const [id, us] of self) {
    // Which of our functions (apps/*, libs/*) the time was spent under, nearest first: says which
    // of our calls a dependency's time belongs to (Prisma under which service, and so on).
    let up = id;
    let caller = '(no frame of ours)';
    while (up !== undefined) {
      const callFrame = byId.get(up).callFrame;
      const area = areaOf(callFrame.url, root);
      if (/^(apps|libs)\//.test(area)) {
        caller = `${callFrame.functionName || '(anonymous)'} (${area}:${path.basename(callFrame.url)}:${callFrame.lineNumber + 1})`;
        break;
      }
      up = parentOf.get(up);
    }
    const leafArea = areaOf(byId.get(id).callFrame.url, root);
    const callerKey = `${leafArea}\u0000${caller}`;
    callers.set(callerKey, (callers.get(callerKey) ?? 0) + us);
    const frame = byId.get(id).callFrame;
    const name = frame.functionName || '(anonymous)';
    const special = ['(idle)', '(garbage collector)', '(program)'].includes(name);
    const area = special ? name : areaOf(frame.url, root);
    const where = special
      ? ''
      : `${areaOf(frame.url, root)}${frame.url ? `:${path.basename(frame.url)}:${frame.lineNumber + 1}` : ''}`;
    const key = `${name}\u0000${where}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const pct = (us) => Math.round((us / totalUs) * 1000) / 10;
  return {
    busyMs: Math.round(totalUs / 1000),
    top: [...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [functionName, where] = key.split('\u0000');
        return { functionName, where, selfMs: Math.round(us / 1000), selfPercent: pct(us) };
      }),
    byNearestCallerOfOurs: [...callers]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([key, us]) => {
        const [area, caller] = key.split('\u0000');
        return { area, caller, selfMs: Math.round(us / 1000), selfPercent: pct(us) };
      }),
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), selfPercent: pct(us) })),
  };
}

module.exports = { summariseCpuProfile };
