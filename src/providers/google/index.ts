export { createGoogle, type GoogleProviderOptions } from './google-provider';
export { convertToGoogleContents, type GooglePrompt } from './convert-to-google-contents';
export { convertToGoogleSchema } from './convert-to-google-schema';
