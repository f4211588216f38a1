-- The latest year value of each contract's indicators (an evaluated year's, else the latest agreed
-- quarterly figure of an indicator that is not cumulative), with the contract's category: targets
-- are suggested from the same indicator's percentiles among peers (rules/targets.ts). Written with
-- each projection; `covenant projections rebuild` fills it for contracts projected before.
create table indicator_values (
  contract_id text not null references contracts (id) on delete cascade,
  indicator text not null,
  category text,
  value double precision not null,
  year int not null,
  primary key (contract_id, indicator)
);
create index indicator_values_peers on indicator_values (indicator, category);

-- The name a stored document was uploaded under (evidence files); null for documents Covenant renders.
alter table documents add column name text;
