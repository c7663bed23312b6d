/** What the page is doing, in `document.body.dataset.state`. */
export type PageState = 'loading' | 'idle' | 'training' | 'stopped' | 'finished' | 'failed';

/** The page's controls and outputs (index.html). */
export interface PageElements {
  readonly strategy: HTMLSelectElement;
  readonly epochs: HTMLInputElement;
  readonly train: HTMLButtonElement;
  readonly stop: HTMLButtonElement;
  readonly reset: HTMLButtonElement;
  readonly strategyInUse: HTMLElement;
  readonly state: HTMLElement;
  readonly chart: SVGSVGElement;
  readonly log: HTMLElement;
}

/** Finds the page's elements by id; a missing one means the HTML and the script do not match. */
export function pageElements(): PageElements {
  const byId = <T extends Element>(id: string): T => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`The page has no element #${id}: serve the index.html built with this app.js.`);
    return element as unknown as T;
  };
  return {
    strategy: byId('strategy'),
    epochs: byId('epochs'),
    train: byId('train'),
    stop: byId('stop'),
    reset: byId('reset'),
    strategyInUse: byId('strategy-in-use'),
    state: byId('state'),
    chart: byId('chart'),
    log: byId('log'),
  };
}
