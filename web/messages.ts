/**
 * The page's messages. Errors go to one alert region that screen readers announce at once;
 * progress goes to each panel's status line (a polite live region).
 */
const alertBox = (): HTMLElement => document.getElementById("alert")!;

/** Shows a one-line error; `null` hides it. */
export function showError(text: string | null): void {
  const box = alertBox();
  box.textContent = text ?? "";
  box.hidden = text === null;
}

/** The message of anything thrown, for showError. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Writes progress to the status line with the given id. */
export function showStatus(id: string, text: string): void {
  document.getElementById(id)!.textContent = text;
}

/** Runs `action`, showing what it throws; the page stays usable. Resolves to whether it succeeded. */
export async function reporting(action: () => Promise<unknown> | unknown): Promise<boolean> {
  try {
    showError(null);
    await action();
    return true;
  } catch (error) {
    showError(messageOf(error));
    return false;
  }
}
