/**
 * Every handler the broker serves, registered by API key.
 *
 * @module
 */

import { register } from "./registry.ts";
import produce from "./00_produce.ts";
import fetch from "./01_fetch.ts";
import listOffsets from "./02_list_offsets.ts";
import metadata from "./03_metadata.ts";
import apiVersions from "./18_api_versions.ts";
import initProducerId from "./22_init_producer_id.ts";

register(produce, fetch, listOffsets, metadata, apiVersions, initProducerId);

export { HANDLERS } from "./registry.ts";
