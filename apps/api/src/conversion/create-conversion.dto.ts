import { TARGET_FORMATS, type TargetFormat } from '@wopi/conversion';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { IsPlainText } from '../session/plain-text.validator';

export class CreateConversionDto {
  /** The core app's reference to the source document. */
  @IsString()
  @Length(1, 512)
  @IsPlainText()
  fileRef: string;

  /** The core app's id of the user the conversion runs for: reads the source, owns the result. */
  @IsString()
  @Length(1, 256)
  @Matches(/^[^\s]+$/, { message: 'userId must not contain white space' })
  @IsPlainText()
  userId: string;

  @IsIn(TARGET_FORMATS)
  targetFormat: TargetFormat;
}

export interface ConversionAccepted {
  conversionId: string;
  /** GET it for the state; also sent as `Location`. */
  statusUrl: string;
}
