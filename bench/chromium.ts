import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium driven by playwright-core (nothing downloaded), headless, for the console's test and bench. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
}
