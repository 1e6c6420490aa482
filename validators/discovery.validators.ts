import { DISCOVERY_MAX_PAGE } from '../config/constants.js';
import { sealedPageRules } from './common.validators.js';

export const discoveryRules = sealedPageRules(DISCOVERY_MAX_PAGE);
