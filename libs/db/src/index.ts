export * from './db.module';
export * from './migrations';
export * from './prisma.service';
export * from './generated/prisma/client';
