/** Owner id of records that belong to the host rather than a user: managed keys, built-in definitions, app budgets. */
export const systemOwnerId = '__system__';
