export { connectorsDir, startTestCapture, type TestCapture } from './capture';
export { createTestDatabase, type TestDatabase } from './database';
export { createTopic, headerStrings, testKafka } from './kafka';
export { stackEndpoints, uniqueName, type StackEndpoints } from './stack';
export { waitFor, type WaitOptions } from './wait';
export { schemasDir, testCatalog } from './schemas';
