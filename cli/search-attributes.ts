// Registers Covenant's search attributes on a namespace, adding only those missing.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { SearchAttributeKey, SearchAttributeType } from '@temporalio/common/lib/search-attributes.js';

const INDEXED: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DOUBLE: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  DATETIME: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  TEXT: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  BOOL: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

const UNIMPLEMENTED = 12;

export async function ensureSearchAttributes(
  client: Client,
  namespace: string,
  keys: SearchAttributeKey<SearchAttributeType>[],
): Promise<void> {
  let registered: Record<string, unknown> = {};
  try {
    registered =
      (await client.connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    // The time-skipping test server cannot list attributes, but adds them.
    if ((err as { code?: number }).code !== UNIMPLEMENTED) throw err;
  }
  const missing = keys.filter((k) => !(k.name in registered));
  if (missing.length === 0) return;
  await client.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type]!])),
  });
}
