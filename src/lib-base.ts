// First import of the library entry: points the run-time file lookups (ort/, ja/, packs/)
// at the library's own folder before any element module runs (elements already in the page
// start as soon as they are defined).
import { setAssetBase } from './ui/assets';

setAssetBase(new URL(/* @vite-ignore */ './', import.meta.url));
