-- The contract's category (ministry, county, state corporation…): league tables rank contracts
-- within their category. Rows projected before fill it at their next projection or
-- `covenant projections rebuild`; until then they rank under no category.
alter table contracts add column category text;
create index contracts_category on contracts (category);
