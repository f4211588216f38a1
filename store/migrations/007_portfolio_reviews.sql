-- Portfolio reviews: what each run of portfolioReviewWorkflow published for a quarter (period
-- 'Q1'..'Qn') or a year (period 'year'): its document and the figures the document shows. A quarter
-- reviewed again (a run triggered by hand) gets the next version; the run id makes a retried
-- activity write its own row again rather than a second one.
create table portfolio_reviews (
  year int not null,
  period text not null,
  version int not null,
  run_id text not null unique,
  at timestamptz not null default now(),
  -- true: every due contract was reviewed (or evaluated); false: published at the cut-off.
  complete boolean,
  document text,
  summary jsonb,
  primary key (year, period, version)
);
