export { connectorsDir, startTestCapture, type TestCapture } from './capture';
export { createTestDatabase, type TestDatabase } from './database';
export { collectMessages, createTopic, headerStrings, testKafka, type Collector } from './kafka';
export { stackEndpoints, uniqueName, type StackEndpoints } from './stack';
export { waitFor, type WaitOptions } from './wait';
export { schemasDir, testCatalog } from './schemas';
export { createRecordProducer, type RecordProducer } from './records';
export { startServiceWorld, type ServiceWorld, type ServiceWorldOptions } from './service-world';
