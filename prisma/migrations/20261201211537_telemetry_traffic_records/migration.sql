-- CreateTable
CREATE TABLE "traffic_minutes" (
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "access" TEXT NOT NULL,
    "extension" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "traffic_minutes_pkey" PRIMARY KEY ("minute","tenant_id","kind","operation","access","extension","country")
);

-- CreateTable
CREATE TABLE "traffic_seconds" (
    "second" TIMESTAMPTZ(0) NOT NULL,
    "tenant_id" UUID NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "traffic_seconds_pkey" PRIMARY KEY ("second","tenant_id")
);
