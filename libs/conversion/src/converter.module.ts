import { type DynamicModule, Module } from '@nestjs/common';
import { CONVERTER } from './converter.port';
import {
  LIBREOFFICE_OPTIONS,
  LibreOfficeConverter,
  type LibreOfficeOptions,
} from './libreoffice/libreoffice.converter';

/** Provides the converter port (`CONVERTER`), backed by LibreOffice. */
@Module({})
export class ConverterModule {
  static forRoot(options: LibreOfficeOptions): DynamicModule {
    return {
      module: ConverterModule,
      providers: [
        { provide: LIBREOFFICE_OPTIONS, useValue: options },
        { provide: CONVERTER, useClass: LibreOfficeConverter },
      ],
      exports: [CONVERTER],
    };
  }
}
