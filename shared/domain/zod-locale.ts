/**
 * zod's smaller API (`zod/mini`) ships no messages; this loads the English ones once, so a bad
 * input is reported with a message that names the problem ("expected string, received number").
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());
