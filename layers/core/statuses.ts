// "Statuses in API": how analysis, group and folder statuses follow from the analyses.
// Folder statuses are derived on read from the analyses themselves, so analyses of one group that
// finish concurrently can never leave a stale folder status behind.
import type { Analysis, AnalysisResolutionStatus, FolderResolutionStatus, SystemResolution } from './entities';

type Resolved = Pick<Analysis, 'state' | 'resolution'> & { resolution_operator?: Analysis['resolution_operator'] };

/**
 * An analysis' resolution_status: its resolution once finished, otherwise its state. An operator's
 * decision on an OPERATOR_REQUIRED result (resolution_operator) becomes the analysis' resolution.
 */
export function analysisResolutionStatus(a: Resolved): AnalysisResolutionStatus {
  if (a.state !== 'FINISHED') return a.state;
  const decided = a.resolution === 'OPERATOR_REQUIRED' ? a.resolution_operator?.['resolution_status'] : undefined;
  if (decided === 'SUCCESS' || decided === 'DECLINED') return decided;
  return a.resolution ?? 'SUCCESS';
}

// "INITIAL > PROCESSING > FAILED > DECLINED > OPERATOR_REQUIRED > SUCCESS": the first is the worst.
const WORST_FIRST: SystemResolution[] = ['INITIAL', 'PROCESSING', 'FAILED', 'DECLINED', 'OPERATOR_REQUIRED', 'SUCCESS'];

export function worst(statuses: SystemResolution[]): SystemResolution {
  if (statuses.length === 0) return 'INITIAL';
  return statuses.reduce((a, b) => (WORST_FIRST.indexOf(a) <= WORST_FIRST.indexOf(b) ? a : b));
}

/** The result of one group (the analyses sent in one POST): the worst of its analyses. */
export function groupResult(group: Resolved[]): SystemResolution {
  return worst(group.map(analysisResolutionStatus));
}

export interface FolderStatus {
  resolution_status: FolderResolutionStatus;
  system_resolution: SystemResolution;
}

/**
 * Folder status, "Statuses in API" to the letter: INITIAL with no analyses; PROCESSING while any
 * analysis runs ("analyses are in progress"); FAILED when any of the folder's analyses failed ("any
 * of the analyses failed due to some error", whatever group it was in: a later successful group does
 * not hide it; deleting the failed analysis does); otherwise FINISHED. system_resolution ("Folder
 * Result") is the worst result of the last-finished group.
 */
export function folderStatus(analyses: (Resolved & Pick<Analysis, 'group_id' | 'time_updated'> & { time_task_finished?: number | null })[]): FolderStatus {
  if (analyses.length === 0) return { resolution_status: 'INITIAL', system_resolution: 'INITIAL' };
  if (analyses.some((a) => a.state === 'PROCESSING')) {
    return { resolution_status: 'PROCESSING', system_resolution: 'PROCESSING' };
  }
  const groups = new Map<string, typeof analyses>();
  for (const a of analyses) groups.set(a.group_id, [...(groups.get(a.group_id) ?? []), a]);
  let lastGroup: typeof analyses = [];
  let lastFinished = -Infinity;
  for (const group of groups.values()) {
    // When it finished, not when it was last touched: a meta_data PATCH or a decision must not reorder groups.
    const finishedAt = Math.max(...group.map((a) => a.time_task_finished ?? a.time_updated));
    if (finishedAt > lastFinished) {
      lastFinished = finishedAt;
      lastGroup = group;
    }
  }
  const result = groupResult(lastGroup);
  return { resolution_status: analyses.some((a) => a.state === 'FAILED') ? 'FAILED' : 'FINISHED', system_resolution: result };
}
