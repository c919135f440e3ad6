// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IKeeperAavePool {
  function liquidationCall(
    address collateralAsset,
    address debtAsset,
    address user,
    uint256 debtToCover,
    bool receiveAToken
  ) external;

  // Returns Aave V3's ReserveData (ReserveDataLegacy from 3.1 on): 15 static words, of which
  // only aTokenAddress, the 9th, is read (see _aTokenOf).
  function getReserveData(address asset) external view;

  function flashLoanSimple(
    address receiverAddress,
    address asset,
    uint256 amount,
    bytes calldata params,
    uint16 referralCode
  ) external;
}

/// Uniswap V3 periphery's SwapRouter (v1), exact-input multi-hop swap.
interface IKeeperSwapRouter {
  struct ExactInputParams {
    bytes path;
    address recipient;
    uint256 deadline;
    uint256 amountIn;
    uint256 amountOutMinimum;
  }

  function exactInput(ExactInputParams calldata params) external payable returns (uint256);
}

/// Morpho Blue 1.0: the calls keeper's contract makes (liquidate and its callback, the storage
/// reads of the position re-check).
interface IKeeperMorpho {
  struct MarketParams {
    address loanToken;
    address collateralToken;
    address oracle;
    address irm;
    uint256 lltv;
  }

  function liquidate(
    MarketParams memory marketParams,
    address borrower,
    uint256 seizedAssets,
    uint256 repaidShares,
    bytes memory data
  ) external returns (uint256, uint256);

  /// Raw storage words: the re-check reads exactly the two it needs, in one call.
  function extSloads(bytes32[] memory slots) external view returns (bytes32[] memory);
}

interface IKeeperMorphoOracle {
  function price() external view returns (uint256);
}

interface IKeeperScaledBalanceToken {
  function scaledBalanceOf(address user) external view returns (uint256);
}

/// keeper's own liquidator for one Aave V3 Pool. Only the owner (keeper's wallet) may call it.
///
/// Why a contract instead of calling the Pool from the wallet: between keeper's decision and its
/// transaction's inclusion, someone else may repay or liquidate the account. A plain
/// liquidationCall then reverts and burns its whole gas limit; here the transaction first compares
/// the account's scaled variable debt with what keeper saw and, when it shrank, stops at a cost of
/// well under 40,000 gas, without reverting.
///
/// Funding: the contract spends its own balance of the debt asset when it holds enough; otherwise
/// it pulls exactly debtToCover from the owner (who approves this contract once per asset). What
/// was pulled and not spent, and everything seized, goes back to the owner in the same transaction:
/// after a liquidation funded by the owner the contract holds nothing and allows the Pool nothing.
///
/// Flash mode (liquidateWithFlashLoan) needs no inventory at all: it borrows the debt asset from
/// the Pool itself (flashLoanSimple), liquidates, sells the seized collateral on Uniswap V3 for the
/// debt asset, repays the loan and its premium, and sends what is left to the owner. The whole
/// transaction reverts when that profit is below the owner's minimum, so a bad swap costs gas only.
///
/// Morpho Blue (liquidateMorpho) needs no loan either: Morpho sends the seized collateral first,
/// calls onMorphoLiquidate, and only then pulls the repayment, so the callback sells the
/// collateral on Uniswap V3 and approves exactly what Morpho takes. The Morpho contract is named
/// by the owner at each call (the constructor, and so the devnet's deterministic address, stay as
/// they were); the callback is accepted only from that contract and only with the data of the
/// liquidation the owner started, which the contract remembers for the call's length.
contract KeeperLiquidator {
  address public immutable owner;
  address public immutable pool;

  event Liquidated(
    address indexed user,
    address indexed collateral,
    address indexed debt,
    uint256 debtRepaid,
    uint256 collateralReceived
  );
  /// The account's debt shrank since keeper looked: nothing was done.
  event Skipped(address indexed user);
  /// The Pool refused (health factor back above 1, reserve paused, ...): funds went back.
  event LiquidationRefused(address indexed user);
  event Withdrawn(address indexed token, uint256 amount);
  /// A flash liquidation: `profit` (in `debt`, after the loan's premium) went to the owner.
  event FlashLiquidated(
    address indexed user,
    address indexed collateral,
    address indexed debt,
    uint256 debtRepaid,
    uint256 collateralSold,
    uint256 debtBought,
    uint256 premium,
    uint256 profit
  );

  /// A Morpho Blue liquidation through liquidateMorpho. `profit` (in the loan token) went to the
  /// owner; with no swap (router 0) the owner paid `repaid` and received `seized`.
  event MorphoLiquidated(
    address indexed borrower,
    bytes32 indexed marketId,
    address indexed loanToken,
    uint256 repaid,
    uint256 seized,
    uint256 bought,
    uint256 profit
  );

  /// What the owner asks of liquidateMorpho.
  struct MorphoLiquidation {
    address morpho; // the Morpho Blue contract
    IKeeperMorpho.MarketParams market;
    address borrower;
    uint256 seizedAssets; // of the collateral: Morpho rounds the repaid shares up from it
    uint256 minBorrowShares; // the borrower's shares when keeper decided; fewer now: stop (0: no check)
    address router; // Uniswap V3 SwapRouter; 0: no swap, the owner pays and gets the collateral
    bytes path; // packed path from the collateral to the loan token
    uint256 amountOutMinimum; // of the loan token for all the seized collateral
    uint256 minProfit; // of the loan token after the repayment; less reverts everything
  }

  /// keccak256(morpho, keccak256(data)) of the Morpho liquidation in progress; zero outside one.
  bytes32 private morphoCallback;

  /// What a flash liquidation did, gathered for its event.
  struct FlashOutcome {
    uint256 repaid;
    uint256 seized;
    uint256 bought;
    uint256 premium;
    uint256 profit;
  }

  /// What the owner asks of liquidateWithFlashLoan. One struct: one ABI tuple, and few stack slots.
  struct FlashLiquidation {
    address collateral; // underlying asset seized (never aTokens: they are sold at once)
    address debt; // underlying asset borrowed from the Pool and repaid to it
    address user;
    uint256 debtToCover; // borrowed and offered to liquidationCall; unspent, it comes back
    address variableDebtToken; // of `debt`, for the cheap re-check
    uint256 minScaledDebt; // as in liquidate(): less on chain now means someone was first
    address router; // Uniswap V3 SwapRouter
    bytes path; // Uniswap's packed path from `collateral` to `debt`: token (fee token)+
    uint256 amountOutMinimum; // of `debt` for all the seized collateral
    uint256 minProfit; // of `debt` after repaying loan and premium; less reverts everything
  }

  error NotOwner();
  error ZeroAddress();
  error SameAsset();
  error TokenCallFailed(address token);
  error EthTransferFailed();
  error BadSwapPath();
  error UnexpectedFlashLoan();
  error InsufficientProfit(uint256 profit, uint256 minProfit);
  error UnexpectedCallback();

  constructor(address pool_, address owner_) {
    if (pool_ == address(0) || owner_ == address(0)) revert ZeroAddress();
    pool = pool_;
    owner = owner_;
  }

  modifier onlyOwner() {
    if (msg.sender != owner) revert NotOwner();
    _;
  }

  /// ETH can be parked here and swept back with sweep(address(0)).
  receive() external payable {}

  /// @param collateral        underlying asset to seize
  /// @param debt              underlying asset to repay
  /// @param user              the account to liquidate
  /// @param debtToCover       exact amount of `debt` to repay (not type(uint256).max: it is pulled)
  /// @param variableDebtToken the variable debt token of `debt`, for the cheap re-check
  /// @param minScaledDebt     the user's scaled variable debt when keeper decided; less now means
  ///                          someone repaid or liquidated first, and the call stops (0: no check)
  /// @param receiveAToken     seize aTokens instead of the underlying
  function liquidate(
    address collateral,
    address debt,
    address user,
    uint256 debtToCover,
    address variableDebtToken,
    uint256 minScaledDebt,
    bool receiveAToken
  ) external onlyOwner {
    if (
      minScaledDebt != 0 &&
      IKeeperScaledBalanceToken(variableDebtToken).scaledBalanceOf(user) < minScaledDebt
    ) {
      emit Skipped(user);
      return;
    }
    // With one token both seized and repaid, balances cannot tell the two amounts apart.
    if (collateral == debt && !receiveAToken) revert SameAsset();

    uint256 pulled;
    if (_balanceOf(debt) < debtToCover) {
      _pull(debt, debtToCover);
      pulled = debtToCover;
    }
    address seizedToken = receiveAToken ? _aTokenOf(collateral) : collateral;
    uint256 debtBefore = _balanceOf(debt);
    uint256 seizedBefore = _balanceOf(seizedToken);

    _approve(debt, pool, debtToCover);
    try IKeeperAavePool(pool).liquidationCall(collateral, debt, user, debtToCover, receiveAToken) {
      // handled below, outside the try block
    } catch {
      _approve(debt, pool, 0);
      if (pulled != 0) _send(debt, owner, pulled);
      emit LiquidationRefused(user);
      return;
    }
    // The Pool may take less than approved (close factor, not enough collateral): allow it nothing.
    _approve(debt, pool, 0);
    uint256 repaid = debtBefore - _balanceOf(debt);
    uint256 seized = _balanceOf(seizedToken) - seizedBefore;
    if (pulled > repaid) _send(debt, owner, pulled - repaid);
    if (seized != 0) _send(seizedToken, owner, seized);
    emit Liquidated(user, collateral, debt, repaid, seized);
  }

  /// Liquidates with borrowed funds: see FlashLiquidation for the parameters. Stops without
  /// reverting (and without borrowing) when the account's debt shrank since keeper looked.
  function liquidateWithFlashLoan(FlashLiquidation calldata p) external onlyOwner {
    if (
      p.minScaledDebt != 0 &&
      IKeeperScaledBalanceToken(p.variableDebtToken).scaledBalanceOf(p.user) < p.minScaledDebt
    ) {
      emit Skipped(p.user);
      return;
    }
    if (p.collateral == p.debt) revert SameAsset();
    _checkPath(p.path, p.collateral, p.debt);
    // Any inventory of the debt asset held here already is not profit: measure from it.
    uint256 debtBefore = _balanceOf(p.debt);
    IKeeperAavePool(pool).flashLoanSimple(
      address(this),
      p.debt,
      p.debtToCover,
      abi.encode(p, debtBefore),
      0
    );
    // The Pool pulled exactly what executeOperation approved; a token that does not lower
    // allowances on transferFrom must still leave the Pool nothing to take later.
    _approve(p.debt, pool, 0);
  }

  /// Aave's flash-loan callback. Only the Pool may call it, and only for a loan this contract
  /// took (initiator): anyone can make the Pool call a receiver, with any params.
  function executeOperation(
    address asset,
    uint256 amount,
    uint256 premium,
    address initiator,
    bytes calldata params
  ) external returns (bool) {
    if (msg.sender != pool || initiator != address(this)) revert UnexpectedFlashLoan();
    (FlashLiquidation memory p, uint256 debtBefore) = abi.decode(
      params,
      (FlashLiquidation, uint256)
    );
    FlashOutcome memory o;
    o.premium = premium;
    (o.repaid, o.seized) = _liquidateBorrowed(p, asset, amount);
    o.bought = _sellSeized(p, o.seized);
    o.profit = _payOwner(asset, debtBefore, amount + premium, p.minProfit);
    emit FlashLiquidated(
      p.user,
      p.collateral,
      asset,
      o.repaid,
      o.seized,
      o.bought,
      o.premium,
      o.profit
    );
    return true;
  }

  /// Sends the profit to the owner and approves the Pool for exactly the repayment. Reverts when
  /// the loan cannot be repaid from this liquidation alone or the profit is below `minProfit`.
  function _payOwner(
    address asset,
    uint256 debtBefore,
    uint256 owed,
    uint256 minProfit
  ) private returns (uint256 profit) {
    // Held now: what was here before, the loan, minus what the Pool took, plus what the swap gave.
    uint256 gained = _balanceOf(asset) - debtBefore;
    profit = gained > owed ? gained - owed : 0;
    if (gained < owed || profit < minProfit) revert InsufficientProfit(profit, minProfit);
    if (profit != 0) _send(asset, owner, profit);
    _approve(asset, pool, owed); // the Pool pulls the repayment after executeOperation returns
  }

  /// liquidationCall with the borrowed debt asset; returns what it repaid and what it seized.
  /// A Pool refusal reverts the whole flash loan: nothing was spent but gas.
  function _liquidateBorrowed(
    FlashLiquidation memory p,
    address asset,
    uint256 amount
  ) private returns (uint256 repaid, uint256 seized) {
    uint256 debtHeld = _balanceOf(asset);
    uint256 collateralHeld = _balanceOf(p.collateral);
    _approve(asset, pool, amount);
    IKeeperAavePool(pool).liquidationCall(p.collateral, asset, p.user, amount, false);
    repaid = debtHeld - _balanceOf(asset);
    seized = _balanceOf(p.collateral) - collateralHeld;
  }

  /// Sells exactly the seized collateral along the owner's path; the router reverts below
  /// amountOutMinimum. The allowance is exact and reset, so the router can take nothing more.
  function _sellSeized(FlashLiquidation memory p, uint256 seized) private returns (uint256) {
    return _sell(p.collateral, p.router, p.path, seized, p.amountOutMinimum);
  }

  function _sell(
    address token,
    address router,
    bytes memory path,
    uint256 amountIn,
    uint256 amountOutMinimum
  ) private returns (uint256 bought) {
    _approve(token, router, amountIn);
    bought = IKeeperSwapRouter(router).exactInput(
      IKeeperSwapRouter.ExactInputParams({
        path: path,
        recipient: address(this),
        deadline: block.timestamp,
        amountIn: amountIn,
        amountOutMinimum: amountOutMinimum
      })
    );
    _approve(token, router, 0);
  }

  /// Liquidates a Morpho Blue position: see MorphoLiquidation for the parameters. Stops without
  /// reverting when the borrower's shares shrank since keeper looked, or when the position is
  /// healthy at Morpho's stored totals and the oracle's price (interest since the last accrual only
  /// adds debt, so a position unhealthy by this reading is unhealthy for Morpho too).
  function liquidateMorpho(MorphoLiquidation calldata p) external onlyOwner {
    bytes32 id = keccak256(abi.encode(p.market));
    if (!_morphoLiquidatable(p, id)) {
      emit Skipped(p.borrower);
      return;
    }
    address loan = p.market.loanToken;
    if (p.market.collateralToken == loan) revert SameAsset();
    if (p.router != address(0)) _checkPath(p.path, p.market.collateralToken, loan);
    bytes memory data = abi.encode(p, _balanceOf(loan));
    morphoCallback = keccak256(abi.encodePacked(p.morpho, keccak256(data)));
    IKeeperMorpho(p.morpho).liquidate(p.market, p.borrower, p.seizedAssets, 0, data);
    morphoCallback = bytes32(0);
    // Morpho pulled exactly what the callback approved; a token that does not lower allowances on
    // transferFrom must still leave Morpho nothing to take later.
    _approve(loan, p.morpho, 0);
  }

  /// Morpho's liquidation callback: the seized collateral is here, `repaidAssets` of the loan token
  /// must be approved to Morpho before returning.
  function onMorphoLiquidate(uint256 repaidAssets, bytes calldata data) external {
    bytes32 expected = morphoCallback;
    if (expected == bytes32(0) || keccak256(abi.encodePacked(msg.sender, keccak256(data))) != expected)
      revert UnexpectedCallback();
    (MorphoLiquidation memory p, uint256 loanBefore) = abi.decode(data, (MorphoLiquidation, uint256));
    address loan = p.market.loanToken;
    uint256 bought;
    uint256 profit;
    if (p.router == address(0)) {
      // No swap: the repayment comes from this contract's balance or the owner's, the collateral
      // goes to the owner.
      uint256 held = _balanceOf(loan);
      if (held < repaidAssets) _pull(loan, repaidAssets - held);
      _send(p.market.collateralToken, owner, p.seizedAssets);
    } else {
      bought = _sell(p.market.collateralToken, p.router, p.path, p.seizedAssets, p.amountOutMinimum);
      uint256 gained = _balanceOf(loan) - loanBefore;
      profit = gained > repaidAssets ? gained - repaidAssets : 0;
      if (gained < repaidAssets || profit < p.minProfit) revert InsufficientProfit(profit, p.minProfit);
      if (profit != 0) _send(loan, owner, profit);
    }
    _approve(loan, msg.sender, repaidAssets);
    emit MorphoLiquidated(
      p.borrower,
      keccak256(abi.encode(p.market)),
      loan,
      repaidAssets,
      p.seizedAssets,
      bought,
      profit
    );
  }

  /// Whether the position is still worth the call: as many borrow shares as keeper saw (when it
  /// says) and unhealthy at Morpho's stored totals and the oracle's price.
  ///
  /// Gas: this is the whole cost of a skipped call beyond the transaction's own. Morpho's getters
  /// read five cold slots (two for position(), three for market()); the check needs two: the
  /// position's borrowShares|collateral word and the market's totalBorrowAssets|totalBorrowShares
  /// word, read by extSloads in one call. The oracle's price() is the rest (on the devnet two
  /// Chainlink-shaped feeds behind proxies, ~37k cold), read only when the shares still hold.
  function _morphoLiquidatable(MorphoLiquidation calldata p, bytes32 id) private view returns (bool) {
    // Morpho Blue 1.0's layout: position at slot 2 (Id => address => Position), market at slot 3
    // (Id => Market); the second word of each is the packed pair read here (low 128 bits first).
    bytes32[] memory slots = new bytes32[](2);
    slots[0] = bytes32(uint256(keccak256(abi.encode(p.borrower, keccak256(abi.encode(id, uint256(2)))))) + 1);
    slots[1] = bytes32(uint256(keccak256(abi.encode(id, uint256(3)))) + 1);
    bytes32[] memory words = IKeeperMorpho(p.morpho).extSloads(slots);
    uint256 shares = uint128(uint256(words[0]));
    if (shares == 0 || shares < p.minBorrowShares) return false;
    uint256 collateral = uint256(words[0]) >> 128;
    // SharesMathLib.toAssetsUp with Morpho's virtual shares (1e6) and assets (1).
    uint256 borrowed = _mulDivUp(
      shares,
      uint256(uint128(uint256(words[1]))) + 1,
      (uint256(words[1]) >> 128) + 1e6
    );
    uint256 price = IKeeperMorphoOracle(p.market.oracle).price();
    uint256 maxBorrow = ((collateral * price) / 1e36) * p.market.lltv / 1e18;
    return borrowed > maxBorrow;
  }

  function _mulDivUp(uint256 x, uint256 y, uint256 d) private pure returns (uint256) {
    return (x * y + (d - 1)) / d;
  }

  /// A path is token (3-byte fee, token)+: 20 + 23n bytes, from the collateral to the debt.
  function _checkPath(bytes calldata path, address collateral, address debt) private pure {
    if (path.length < 43 || (path.length - 20) % 23 != 0) revert BadSwapPath();
    if (address(bytes20(path[:20])) != collateral) revert BadSwapPath();
    if (address(bytes20(path[path.length - 20:])) != debt) revert BadSwapPath();
  }

  /// Sends `amount` of `token` (address(0): ETH) to the owner.
  function withdraw(address token, uint256 amount) external onlyOwner {
    _withdraw(token, amount);
  }

  /// Sends the whole balance of `token` (address(0): ETH) to the owner.
  function sweep(address token) external onlyOwner {
    _withdraw(token, token == address(0) ? address(this).balance : _balanceOf(token));
  }

  function _withdraw(address token, uint256 amount) private {
    if (token == address(0)) {
      (bool ok, ) = owner.call{value: amount}("");
      if (!ok) revert EthTransferFailed();
    } else {
      _send(token, owner, amount);
    }
    emit Withdrawn(token, amount);
  }

  function _aTokenOf(address asset) private view returns (address) {
    // Decoding all 15 words as a tuple is "stack too deep" without via-IR: read the one needed.
    (bool ok, bytes memory data) = pool.staticcall(
      abi.encodeWithSelector(IKeeperAavePool.getReserveData.selector, asset)
    );
    if (!ok || data.length < 15 * 32) revert TokenCallFailed(pool);
    uint256 word;
    assembly {
      word := mload(add(data, 0x120)) // 32 (length) + 8 * 32
    }
    return address(uint160(word));
  }

  function _balanceOf(address token) private view returns (uint256) {
    (bool ok, bytes memory data) = token.staticcall(
      abi.encodeWithSelector(0x70a08231, address(this)) // balanceOf(address)
    );
    if (!ok || data.length < 32) revert TokenCallFailed(token);
    return abi.decode(data, (uint256));
  }

  function _pull(address token, uint256 amount) private {
    // transferFrom(address,address,uint256)
    _tokenCall(token, abi.encodeWithSelector(0x23b872dd, owner, address(this), amount));
  }

  function _send(address token, address to, uint256 amount) private {
    _tokenCall(token, abi.encodeWithSelector(0xa9059cbb, to, amount)); // transfer(address,uint256)
  }

  function _approve(address token, address spender, uint256 amount) private {
    _tokenCall(token, abi.encodeWithSelector(0x095ea7b3, spender, amount)); // approve(address,uint256)
  }

  /// Tokens that return nothing (USDT and its kind) count as success; `false` or a revert does not.
  /// A call to an address without code "succeeds" with no data, so code is required.
  function _tokenCall(address token, bytes memory data) private {
    (bool ok, bytes memory ret) = token.call(data);
    if (!ok || (ret.length == 0 ? token.code.length == 0 : !abi.decode(ret, (bool))))
      revert TokenCallFailed(token);
  }
}
