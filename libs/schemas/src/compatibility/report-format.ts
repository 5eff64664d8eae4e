/**
 * Text and JSON output of a whole-catalog check, as printed by `make schemas-check`.
 * One line per break so that CI logs can be grepped by subject, path or rule.
 */
import type { CompatibilityMode } from '../catalog';
import type { CompatibilityBreak } from './modes';

export interface SubjectCheck {
  subject: string;
  /** Path relative to the schemas folder. */
  file: string;
  mode: CompatibilityMode;
  /** Label of the version being checked, e.g. `working tree`. */
  newLabel: string;
  /** Labels of the earlier versions it was checked against, oldest first. */
  checked: string[];
  breaks: CompatibilityBreak[];
}

export interface CatalogCheck {
  subjects: SubjectCheck[];
  /** Earlier versions that were skipped, and why (e.g. a commit whose file was not JSON). */
  warnings: string[];
}

/** e.g. `BREAK orders.events-x.OrderPlaced OrderPlaced.note [working tree reads git 1a2b3c4] TYPE_MISMATCH: ...` */
export function formatBreakLine(check: SubjectCheck, found: CompatibilityBreak): string {
  const [reader, writer] =
    found.direction === 'BACKWARD'
      ? [check.newLabel, found.against.label]
      : [found.against.label, check.newLabel];
  return `BREAK ${check.subject} ${found.path} [${reader} reads ${writer}] ${found.rule}: ${found.message}`;
}

export function formatSummary(result: CatalogCheck): string {
  const checkedSubjects = result.subjects.filter((s) => s.mode !== 'NONE');
  const skipped = result.subjects.length - checkedSubjects.length;
  const versions = result.subjects.reduce((sum, s) => sum + s.checked.length, 0);
  const breaks = result.subjects.reduce((sum, s) => sum + s.breaks.length, 0);
  const broken = result.subjects.filter((s) => s.breaks.length > 0).length;
  const notChecked = skipped === 0 ? '' : `, ${skipped} with mode NONE not checked`;
  const scope = `${plural(versions, 'earlier version')} checked${notChecked}`;
  if (breaks === 0) {
    return `schemas-check: no breaks in ${plural(checkedSubjects.length, 'subject')} (${scope}).`;
  }

  return `schemas-check: ${plural(breaks, 'break')} in ${broken} of ${plural(result.subjects.length, 'subject')} (${scope}).`;
}

export function formatText(result: CatalogCheck): string[] {
  const lines = result.subjects.flatMap((check) =>
    check.breaks.map((found) => formatBreakLine(check, found)),
  );
  return [...lines, formatSummary(result)];
}

/** The `--json` report: stable keys, one entry per subject, breaks with both version labels. */
export function toJsonReport(result: CatalogCheck) {
  return {
    compatible: result.subjects.every((s) => s.breaks.length === 0),
    subjects: result.subjects.map((check) => ({
      subject: check.subject,
      file: check.file,
      mode: check.mode,
      version: check.newLabel,
      checkedAgainst: check.checked,
      compatible: check.breaks.length === 0,
      breaks: check.breaks.map((found) => ({
        path: found.path,
        rule: found.rule,
        message: found.message,
        direction: found.direction,
        against: found.against.label,
        reader: found.direction === 'BACKWARD' ? check.newLabel : found.against.label,
        writer: found.direction === 'BACKWARD' ? found.against.label : check.newLabel,
        readerType: found.readerType,
        writerType: found.writerType,
        ...(found.member === undefined ? {} : { member: found.member }),
      })),
    })),
    warnings: result.warnings,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
