import { Module } from '@nestjs/common';
import { LockStore } from './lock.store';

/** Provides LockStore on the global REDIS client (RedisModule.forRoot in the app). */
@Module({ providers: [LockStore], exports: [LockStore] })
export class LockStoreModule {}
