// The storage contract against the in-memory ports (layers/adapters/memory).
import { memoryStoragePorts } from '../../layers/adapters/memory';
import { storageContract } from './storage-contract';

storageContract(async () => ({ ports: memoryStoragePorts(), close: async () => {} }));
