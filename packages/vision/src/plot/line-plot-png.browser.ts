import { StrataError, quote } from '@strata/core';
import type { Panel } from './line-chart.js';

/** The browser twin of `linePlotPng`: a page writes no PNG files, so it refuses, naming `linePlotSvg`. */
export async function linePlotPng(_panels: readonly Panel[], path: string): Promise<void> {
  throw new StrataError('unsupported-option', `linePlotPng cannot write ${quote(path)}: a browser page has no file system.`, {
    value: path,
    fix: 'use linePlotSvg(panels), which returns the chart as SVG text to put in the page.',
  });
}
