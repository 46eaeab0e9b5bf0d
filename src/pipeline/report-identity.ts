/**
 * A report addressed to the file it describes. The analysis of some bytes is the same whatever
 * the file is called, but a report also says where the file is and what it is named: its path,
 * its name, the Dublin Core title taken from the name, and whether the name agrees with the
 * content. A results-cache hit (same bytes submitted again) re-addresses the stored report with
 * `addressReport`, so no report ever carries another submission's path or name. (An analysis run
 * through a pinned descriptor, `/proc/<pid>/fd/<n>`, names the task's file itself:
 * `AnalyzeFileParams.source`; `addressReport` then finds nothing to rewrite.)
 */
import { basename } from 'node:path';
import { extensionCheck, replaceFileCheck } from '../audio/integrity.js';
import { describeExtensionMismatch, nameContent } from '../audio/sniff.js';
import { buildMetadataGeneration } from '../metadata/dublin-core.js';
import type { Report, ReportResults } from '../report/index.js';

/** Who a report is about. */
export interface ReportIdentity {
  readonly taskId?: string;
  /** Where the file is (as submitted: the stored upload or the by-reference path). */
  readonly path: string;
  /** The name to show (the client's file name for uploads). */
  readonly fileName: string;
}

/** True when `report` already describes `id` (nothing to rewrite). */
function isAddressedTo(report: Report, id: ReportIdentity): boolean {
  return (
    report.source.path === id.path &&
    report.source.file_name === id.fileName &&
    (id.taskId === undefined || report.task_id === id.taskId)
  );
}

/**
 * `report` re-addressed to `id`: source path and name, task id, the name-versus-content finding
 * (`technical_metadata.content`, its warning and the `extension_mismatch` QC check) and the
 * metadata built from them (Dublin Core title). The analysis itself is left untouched.
 */
export function addressReport(report: Report, id: ReportIdentity): Report {
  if (isAddressedTo(report, id)) return report;
  const technical = report.results.technical_metadata;
  const before = technical.content;
  const content = nameContent(id.fileName, before?.format ?? null);
  const oldWarning = before ? describeExtensionMismatch(before) : null;
  const newWarning = describeExtensionMismatch(content);
  const warnings = report.warnings.filter((w) => w !== oldWarning);
  if (newWarning !== null) warnings.unshift(newWarning);
  const results = {
    ...report.results,
    ...(before ? { technical_metadata: { ...technical, content: { ...before, ...content } } } : {}),
    quality_control: replaceFileCheck(
      report.results.quality_control,
      'extension_mismatch',
      extensionCheck(content),
    ),
  } as ReportResults;
  const draft: Report = {
    ...report,
    ...(id.taskId !== undefined ? { task_id: id.taskId } : {}),
    source: { ...report.source, path: id.path, file_name: id.fileName },
    results,
    warnings,
  };
  if (report.results.metadata_generation.status !== 'ok') return draft;
  return {
    ...draft,
    results: { ...draft.results, metadata_generation: buildMetadataGeneration(draft) },
  };
}

/** What `reportForTask` needs of a task (the store's `Task` has it). */
export interface TaskFile {
  readonly id: string;
  readonly sourcePath: string;
  readonly originalName: string | null;
}

/** The report of `task`'s own file: its path, name and id. */
export function reportForTask(report: Report, task: TaskFile): Report {
  return addressReport(report, {
    taskId: task.id,
    path: task.sourcePath,
    fileName: task.originalName ?? basename(task.sourcePath),
  });
}
