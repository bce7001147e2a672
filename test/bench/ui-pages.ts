/**
 * The bench's UI scenario (issue 9): the dashboard and the charger list in headless Chromium
 * against a service under load. Time to first render (sign-in link to the dashboard's figures;
 * navigation to the list's first row), then, over the load window, the share of each page's
 * main-thread time spent in long tasks (> 50 ms) and how many live events reached its cache
 * (the UI marks each once-per-frame cache update with the number of events it applied).
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../ui/browser.js';

export interface PageWindow {
  longTaskPct: number;
  events: number;
  cacheUpdates: number;
  windowMs: number;
}

export interface UiPages {
  dashboardFirstRenderMs: number;
  chargerListFirstRenderMs: number;
  /** Starts the measurement window on both pages. */
  startWindow(): Promise<void>;
  endWindow(): Promise<{ dashboard: PageWindow; chargers: PageWindow }>;
  close(): Promise<void>;
}

const START = () => {
  const w = window as unknown as { benchLongTaskMs: number; benchSince: number };
  w.benchLongTaskMs = 0;
  w.benchSince = performance.now();
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) w.benchLongTaskMs += e.duration;
  }).observe({ type: 'longtask', buffered: false });
};

const END = (): PageWindow => {
  const w = window as unknown as { benchLongTaskMs: number; benchSince: number };
  const windowMs = performance.now() - w.benchSince;
  const marks = performance.getEntriesByName('ocpp-edge:events-applied').filter((m) => m.startTime >= w.benchSince) as PerformanceMark[];
  return {
    longTaskPct: Math.round((1000 * w.benchLongTaskMs) / windowMs) / 10,
    events: marks.reduce((n, m) => n + (m.detail as number), 0),
    cacheUpdates: marks.length,
    windowMs: Math.round(windowMs),
  };
};

async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

export async function openUiPages(httpBase: string, token: string, firstChargerId: string): Promise<UiPages> {
  const browser = await launchBrowser();
  try {
    const dashboard = await newPage(browser);
    let t = performance.now();
    await dashboard.goto(`${httpBase}/?token=${token}`);
    await dashboard.getByTestId('Active sessions').waitFor();
    const dashboardFirstRenderMs = Math.round(performance.now() - t);

    const chargers = await newPage(browser);
    await chargers.goto(`${httpBase}/?token=${token}`);
    await chargers.getByRole('heading', { name: 'Dashboard' }).waitFor();
    t = performance.now();
    await chargers.getByRole('link', { name: 'Chargers' }).click();
    await chargers.getByRole('link', { name: firstChargerId }).waitFor();
    const chargerListFirstRenderMs = Math.round(performance.now() - t);
    return {
      dashboardFirstRenderMs,
      chargerListFirstRenderMs,
      startWindow: async () => void (await Promise.all([dashboard.evaluate(START), chargers.evaluate(START)])),
      endWindow: async () => {
        const [d, c] = await Promise.all([dashboard.evaluate(END), chargers.evaluate(END)]);
        return { dashboard: d, chargers: c };
      },
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
