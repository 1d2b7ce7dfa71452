// The body of an analysis queue message. Its own module, so the dead-letter consumer can read
// messages without bundling the worker's models.
import type { AnalysisJob } from '../../layers/core/ports';

/** The job in a message body, or null for anything else (a poison message). */
export function parseJob(body: string): AnalysisJob | null {
  try {
    const job = JSON.parse(body) as Partial<AnalysisJob>;
    if (typeof job.company_id === 'string' && typeof job.folder_id === 'string' && typeof job.analysis_id === 'string') {
      return { company_id: job.company_id, folder_id: job.folder_id, analysis_id: job.analysis_id, group_id: String(job.group_id ?? '') };
    }
  } catch {
    // fall through
  }
  return null;
}
