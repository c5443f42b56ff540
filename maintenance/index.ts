/** The maintenance engine (usage forecast, remaining life, planner, live rules, service loop) arrives with issue 4. */
export {}
